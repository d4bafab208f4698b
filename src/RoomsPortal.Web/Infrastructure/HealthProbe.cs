namespace RoomsPortal.Web.Infrastructure;

/// <summary>
/// <c>RoomsPortal.Web --healthcheck [url]</c>: asks a running portal whether it is ready and exits 0 or 1.
/// Container images have no curl; this lets Docker's HEALTHCHECK use the portal's own binary.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--healthcheck";
    public const string DefaultUrl = "http://127.0.0.1:8080/health/ready";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Argument;

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        var url = args.Length > 1 ? args[1] : DefaultUrl;
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            await output.WriteLineAsync($"{url}: {(int)response.StatusCode}");
            // Degraded answers 200 too: a node without Redis still serves and must stay in rotation.
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await output.WriteLineAsync($"{url}: not reachable ({ex.Message})");
            return 1;
        }
    }
}
