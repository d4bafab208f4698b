using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace RoomsPortal.Core.Verification;

/// <summary>Why pasted text is not a manufacturer key the portal can use.</summary>
public enum PublicKeyProblem
{
    Empty,

    /// <summary>Neither a PEM block nor base64.</summary>
    Malformed,

    /// <summary>A private key: it must never be pasted anywhere.</summary>
    PrivateKey,

    /// <summary>A certificate or another PEM type instead of a bare public key.</summary>
    NotAPublicKey,

    /// <summary>A public key of another algorithm or curve.</summary>
    WrongAlgorithm,
}

/// <summary>
/// A manufacturer's ECDSA P-256 public key as an administrator pastes it: a PEM block
/// (<c>-----BEGIN PUBLIC KEY-----</c>) or the base64 of its SubjectPublicKeyInfo. Parsed once, stored as base64 DER,
/// shown by its SHA-256 fingerprint (the hash of the DER bytes, as <c>openssl pkey -pubin -outform DER | openssl dgst -sha256 -c</c> prints it).
/// </summary>
public sealed partial record ManufacturerPublicKey(string Base64, string Fingerprint)
{
    /// <summary>What to paste, said the same way in every message.</summary>
    public const string WhatToPaste =
        "Paste the manufacturer's ECDSA P-256 public key: a PEM block that starts with -----BEGIN PUBLIC KEY-----, or the base64 of its SubjectPublicKeyInfo.";

    /// <summary>The key in <paramref name="text"/>, or why it is not one.</summary>
    public static (ManufacturerPublicKey? Key, PublicKeyProblem? Problem) Parse(string? text)
    {
        var trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            return (null, PublicKeyProblem.Empty);
        }

        if (trimmed.Length > ManufacturerKey.KeyMaxLength * 2)
        {
            return (null, PublicKeyProblem.Malformed);
        }

        string base64;
        var pem = PemLabel().Match(trimmed);
        if (pem.Success)
        {
            var label = pem.Groups[1].Value;
            if (label.Contains("PRIVATE", StringComparison.Ordinal))
            {
                return (null, PublicKeyProblem.PrivateKey);
            }

            if (label != "PUBLIC KEY")
            {
                return (null, PublicKeyProblem.NotAPublicKey);
            }

            var end = trimmed.IndexOf("-----END", pem.Index + pem.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                return (null, PublicKeyProblem.Malformed);
            }

            base64 = trimmed[(pem.Index + pem.Length)..end];
        }
        else if (trimmed.StartsWith("-----", StringComparison.Ordinal))
        {
            return (null, PublicKeyProblem.Malformed);
        }
        else
        {
            base64 = trimmed;
        }

        byte[] der;
        try
        {
            der = Convert.FromBase64String(string.Concat(base64.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException)
        {
            return (null, PublicKeyProblem.Malformed);
        }

        return FromDer(der);
    }

    /// <summary>The message an administrator reads for <paramref name="problem"/>.</summary>
    public static string Describe(PublicKeyProblem problem) => problem switch
    {
        PublicKeyProblem.Empty => WhatToPaste,
        PublicKeyProblem.PrivateKey =>
            "This is a private key. Never paste a private key anywhere: the manufacturer keeps it. Ask the manufacturer for the public key (-----BEGIN PUBLIC KEY-----) instead.",
        PublicKeyProblem.NotAPublicKey =>
            "This is not a bare public key (a certificate or another kind of PEM block). " + WhatToPaste,
        PublicKeyProblem.WrongAlgorithm =>
            "This public key is not an ECDSA P-256 key (for example RSA, or another curve such as P-384). Consoles sign with P-256 (prime256v1, secp256r1). " + WhatToPaste,
        _ => "This text is not a PEM block or base64, or the base64 is not a public key. " + WhatToPaste,
    };

    /// <summary>The SHA-256 fingerprint of a stored key (base64 DER).</summary>
    public static string FingerprintOf(string base64) => FingerprintOfDer(Convert.FromBase64String(base64));

    private static (ManufacturerPublicKey? Key, PublicKeyProblem? Problem) FromDer(byte[] der)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(der, out var read);
            if (read != der.Length)
            {
                return (null, PublicKeyProblem.Malformed);
            }
        }
        catch (CryptographicException)
        {
            return (null, WhyNotEcdsa(der));
        }

        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (key.KeySize != 256 || !parameters.Curve.IsNamed || parameters.Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            return (null, PublicKeyProblem.WrongAlgorithm);
        }

        // Stored as the DER the key exports, so the same key pasted as PEM or base64 is stored the same way.
        var canonical = key.ExportSubjectPublicKeyInfo();
        return (new ManufacturerPublicKey(Convert.ToBase64String(canonical), FingerprintOfDer(canonical)), null);
    }

    // A well-formed key of another algorithm (RSA, Ed25519) is the wrong kind; anything else is not a public key.
    private static PublicKeyProblem WhyNotEcdsa(byte[] der)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportSubjectPublicKeyInfo(der, out _);
            return PublicKeyProblem.WrongAlgorithm;
        }
        catch (CryptographicException)
        {
        }

        try
        {
            var reader = new System.Formats.Asn1.AsnReader(der, System.Formats.Asn1.AsnEncodingRules.DER);
            var info = reader.ReadSequence();
            info.ReadSequence();
            info.ReadBitString(out _);
            return reader.HasData || info.HasData ? PublicKeyProblem.Malformed : PublicKeyProblem.WrongAlgorithm;
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return PublicKeyProblem.Malformed;
        }
    }

    private static string FingerprintOfDer(byte[] der) =>
        string.Join(':', SHA256.HashData(der).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));

    [GeneratedRegex("-----BEGIN ([A-Z0-9 ]+)-----")]
    private static partial Regex PemLabel();
}
