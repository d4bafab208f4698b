namespace RoomsPortal.Testing;

/// <summary>Debian's chromium, for the end-to-end tests and the bench's pages run (Playwright's own browsers are not used).</summary>
public static class ChromiumLocator
{
    /// <summary><c>CHROMIUM_PATH</c> when set, else <c>chromium</c> or <c>chromium-browser</c> on PATH; an error that says how to install it otherwise.</summary>
    public static string Find()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .SelectMany(folder => new[] { Path.Combine(folder, "chromium"), Path.Combine(folder, "chromium-browser") })
            .FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "Chromium was not found on PATH. Install it with 'apt-get install -y chromium' (the README test command does this), " +
                "or set CHROMIUM_PATH to its executable.");
    }
}
