using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace RoomsPortal.EndToEnd.Tests.Support;

/// <summary>
/// The portal as a customer runs it: the published build (<c>dotnet publish -c Release</c>) started as its own process
/// with <c>dotnet RoomsPortal.Web.dll</c> in the Production environment, on an empty data folder, over plain HTTP on a
/// loopback port, with nothing configured but the folder and the address: no demo data, no preset administrator
/// password. <c>scripts/test.sh</c> publishes once and passes the folder in <c>ROOMSPORTAL_PUBLISHED_PORTAL</c>; without
/// it the fixture publishes into a temporary folder itself.
/// </summary>
public sealed partial class PublishedPortal : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _password = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string? _ownPublishFolder;

    private PublishedPortal(Process process, Uri address, string dataDirectory, string? ownPublishFolder)
    {
        _process = process;
        ServerAddress = address;
        DataDirectory = dataDirectory;
        _ownPublishFolder = ownPublishFolder;
    }

    public Uri ServerAddress { get; }

    public string DataDirectory { get; }

    /// <summary>Everything the process wrote to standard output and error so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The first administrator's one-time password, as printed on the console at first start.</summary>
    public Task<string> BootstrapPasswordAsync() => _password.Task.WaitAsync(StartTimeout);

    public static async Task<PublishedPortal> StartAsync(CancellationToken ct)
    {
        var folder = Environment.GetEnvironmentVariable("ROOMSPORTAL_PUBLISHED_PORTAL");
        string? ownFolder = null;
        if (string.IsNullOrEmpty(folder))
        {
            ownFolder = Path.Combine(Path.GetTempPath(), "roomsportal-published-" + Guid.NewGuid().ToString("N"));
            await PublishAsync(ownFolder, ct);
            folder = ownFolder;
        }

        var entry = Path.Combine(folder, "RoomsPortal.Web.dll");
        if (!File.Exists(entry))
        {
            throw new InvalidOperationException(
                $"ROOMSPORTAL_PUBLISHED_PORTAL points at a folder without RoomsPortal.Web.dll ({folder}); run ./scripts/test.sh, or unset it so the test publishes.");
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "roomsportal-first-day", Guid.NewGuid().ToString("N"));
        var address = new Uri($"http://127.0.0.1:{FreePort()}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(entry);
        // Only what a customer sets: where the data lives and where to listen. Everything else is the product's default.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/');
        start.Environment["Storage__DataDirectory"] = dataDirectory;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var portal = new PublishedPortal(process, address, dataDirectory, ownFolder);
        process.OutputDataReceived += (_, e) => portal.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => portal.OnLine(e.Data);
        process.Exited += (_, _) => portal._listening.TrySetException(
            new InvalidOperationException($"The published portal exited with code {process.ExitCode} before it listened:\n{portal.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await portal._listening.Task.WaitAsync(StartTimeout, ct);
        }
        catch (TimeoutException)
        {
            await portal.DisposeAsync();
            throw new TimeoutException($"The published portal did not listen on {address} within {StartTimeout.TotalSeconds} s:\n{portal.Output}");
        }

        return portal;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        TryDelete(DataDirectory);
        if (_ownPublishFolder is not null)
        {
            TryDelete(_ownPublishFolder);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (BootstrapLine().Match(line) is { Success: true } match)
        {
            _password.TrySetResult(match.Groups[1].Value);
        }

        if (line.Contains("Now listening on:", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }

    private static async Task PublishAsync(string output, CancellationToken ct)
    {
        var root = Artifacts.RepositoryRoot();
        var publish = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", Path.Combine("src", "RoomsPortal.Web"), "-c", "Release", "-o", output, "-v", "quiet", "-nologo" })
        {
            publish.ArgumentList.Add(argument);
        }

        using var process = Process.Start(publish)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct).WaitAsync(PublishTimeout, ct);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex("one-time password ([A-Za-z0-9-]+) ")]
    private static partial Regex BootstrapLine();
}
