using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace RoomsPortal.Bench;

/// <summary>
/// The swarm's handle on the portal child: starts it, sends it commands, reads its replies, counts its log lines and
/// reads its memory, CPU time and open files from /proc.
/// </summary>
internal sealed class PortalProcess : IAsyncDisposable
{
    /// <summary>Kernel clock ticks a second (USER_HZ), the unit of utime and stime in /proc/pid/stat on Linux.</summary>
    private const double TicksPerSecond = 100;

    private readonly Process _process;
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly StreamWriter _log;
    private readonly SemaphoreSlim _commands = new(1, 1);
    private long _logLines;

    private PortalProcess(Process process, StreamWriter log)
    {
        _process = process;
        _log = log;
    }

    public Uri Address { get; private set; } = null!;

    public int Pid => _process.Id;

    /// <summary>Lines the portal wrote to its console log (its configured Serilog console sink) so far.</summary>
    public long LogLines => Interlocked.Read(ref _logLines);

    public static async Task<PortalProcess> StartAsync(
        string dataDirectory, string? postgres, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        var self = typeof(BenchMain).Assembly.Location;
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(self);
        }

        start.ArgumentList.Add(PortalHost.Flag);
        start.ArgumentList.Add("--data");
        start.ArgumentList.Add(dataDirectory);
        if (postgres is not null)
        {
            start.ArgumentList.Add("--postgres");
            start.ArgumentList.Add(postgres);
        }

        // The portal runs with server GC (Microsoft.NET.Sdk.Web's default), whatever this executable's own setting.
        start.Environment["DOTNET_gcServer"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The portal process did not start.");
        var log = new StreamWriter(Path.Combine(dataDirectory, "portal-console.log"));
        var portal = new PortalProcess(process, log);
        _ = Task.Run(portal.ReadOutputAsync);
        _ = Task.Run(portal.ReadErrorsAsync);

        var ready = await portal.NextReplyAsync(timeout);
        var parts = ready.Split(' ');
        if (parts[0] != "ready")
        {
            throw new InvalidOperationException("The portal did not start: " + ready);
        }

        portal.Address = new Uri(parts[1]);
        return portal;
    }

    /// <summary>Sends one command and waits for its reply; a reply starting with "error" throws.</summary>
    public async Task<string> CommandAsync(string command, TimeSpan timeout)
    {
        await _commands.WaitAsync();
        try
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            var reply = await NextReplyAsync(timeout);
            return reply.StartsWith("error", StringComparison.Ordinal)
                ? throw new InvalidOperationException($"The portal refused '{command.Split(' ')[0]}': {reply}")
                : reply;
        }
        finally
        {
            _commands.Release();
        }
    }

    /// <summary>Resident memory of the portal process in bytes (VmRSS).</summary>
    public long ReadRss()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>CPU time (user + system) the portal process used so far, in seconds.</summary>
    public double ReadCpuSeconds()
    {
        var stat = File.ReadAllText($"/proc/{Pid}/stat");
        // Fields after the command name, which is in parentheses and may hold spaces: state is field 3, utime 14, stime 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Files (sockets included) the portal process holds open.</summary>
    public int ReadOpenFiles() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await CommandAsync("quit", TimeSpan.FromSeconds(10));
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(exit.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or TimeoutException or IOException)
            {
                // It did not stop in time: end it (this process started it; its id is known).
                _process.Kill(entireProcessTree: true);
            }
        }

        await _log.DisposeAsync();
        _process.Dispose();
        _commands.Dispose();
    }

    private async Task<string> NextReplyAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await _replies.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The portal did not answer within {timeout.TotalSeconds:0} s.");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException("The portal process ended; see portal-console.log in its data folder.");
        }
    }

    private async Task ReadOutputAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            Interlocked.Increment(ref _logLines);
            await _log.WriteLineAsync(line);
        }
    }

    private async Task ReadErrorsAsync()
    {
        while (await _process.StandardError.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(PortalHost.ReplyPrefix, StringComparison.Ordinal))
            {
                await _replies.Writer.WriteAsync(line[PortalHost.ReplyPrefix.Length..]);
            }
            else
            {
                await Console.Error.WriteLineAsync("portal: " + line);
            }
        }

        _replies.Writer.TryComplete();
    }
}
