using System.ComponentModel.DataAnnotations;

namespace RoomsPortal.Web.Infrastructure;

/// <summary>Where the portal keeps its files (the SQLite database, logs, keys).</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Absolute, or relative to the content root. Created at start when missing.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "Storage:DataDirectory is required: set it to a folder the portal may write to.")]
    public string DataDirectory { get; set; } = "data";

    public string ResolveDataDirectory(string contentRoot) =>
        Path.GetFullPath(Path.IsPathRooted(DataDirectory) ? DataDirectory : Path.Combine(contentRoot, DataDirectory));
}
