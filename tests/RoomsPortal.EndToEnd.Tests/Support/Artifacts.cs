namespace RoomsPortal.EndToEnd.Tests.Support;

/// <summary>Where end-to-end runs keep what they produce: the repository's artifacts/ folder.</summary>
internal static class Artifacts
{
    public static string ScreenshotsDirectory
    {
        get
        {
            var directory = Path.Combine(RepositoryRoot(), "artifacts", "screenshots");
            Directory.CreateDirectory(directory);
            return directory;
        }
    }

    public static string Screenshot(string name) => Path.Combine(ScreenshotsDirectory, name + ".png");

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RoomsPortal.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RoomsPortal.sln was not found above the test's folder.");
    }
}
