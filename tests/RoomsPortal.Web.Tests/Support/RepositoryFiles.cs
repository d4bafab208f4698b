namespace RoomsPortal.Web.Tests.Support;

/// <summary>Files of the repository the tests hold to the code (documents, settings, compose files).</summary>
internal static class RepositoryFiles
{
    /// <summary>The path of a file under the repository root (the folder holding RoomsPortal.sln above the test output).</summary>
    public static string PathOf(params string[] parts)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "RoomsPortal.sln")))
            {
                return Path.Combine([folder.FullName, .. parts]);
            }
        }

        throw new InvalidOperationException("The repository root (RoomsPortal.sln) is not above the test output.");
    }
}
