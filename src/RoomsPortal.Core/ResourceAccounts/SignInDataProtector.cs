using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace RoomsPortal.Core.ResourceAccounts;

/// <summary>Encrypts resource-account passwords at rest with ASP.NET Core Data Protection.</summary>
public sealed class SignInDataProtector(IDataProtectionProvider provider)
{
    private const string Purpose = "RoomsPortal.ResourceAccounts.SignInData.v1";
    private const string PasswordAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%*?";
    public const int GeneratedPasswordLength = 24;

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string password) => _protector.Protect(password);

    public string Unprotect(string protectedPassword) => _protector.Unprotect(protectedPassword);

    /// <summary>A strong random password (24 characters, about 142 bits).</summary>
    public static string GeneratePassword() =>
        new(RandomNumberGenerator.GetItems<char>(PasswordAlphabet, GeneratedPasswordLength));
}
