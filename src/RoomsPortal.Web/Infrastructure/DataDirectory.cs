namespace RoomsPortal.Web.Infrastructure;

/// <summary>The resolved, existing data folder.</summary>
public sealed class DataDirectory
{
    public DataDirectory(string path)
    {
        Path = path;
        Directory.CreateDirectory(path);
    }

    public string Path { get; }
}
