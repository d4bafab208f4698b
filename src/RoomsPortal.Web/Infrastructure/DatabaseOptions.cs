using System.ComponentModel.DataAnnotations;

namespace RoomsPortal.Web.Infrastructure;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>Which database the portal uses. SQLite in the data folder is the embedded default.</summary>
public sealed class DatabaseOptions : IValidatableObject
{
    public const string Section = "Database";

    [EnumDataType(typeof(DatabaseProvider), ErrorMessage = "Database:Provider must be Sqlite, SqlServer or PostgreSql.")]
    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for SqlServer and PostgreSql; for Sqlite, empty means a file in the data folder.</summary>
    public string? ConnectionString { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider != DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                $"Database:ConnectionString is required when Database:Provider is {Provider}: set it to the server's connection string.",
                [nameof(ConnectionString)]);
        }
    }
}
