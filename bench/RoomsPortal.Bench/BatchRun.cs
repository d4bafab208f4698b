using System.Globalization;

namespace RoomsPortal.Bench;

/// <summary>
/// <c>--batch N</c>: the portal in its child process (Release, Production, a fresh SQLite file or --postgres) imports N
/// accounts and generates one OTP batch for all of them in one <c>OtpService.GenerateAsync</c> call, then the same
/// batch again (every code replaced: N revocations more). Prints both times; nothing asserts them.
/// </summary>
internal static class BatchRun
{
    public static async Task<int> RunAsync(int count, BenchOptions options)
    {
        var data = Path.Combine(Path.GetTempPath(), "roomsportal-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var load = (await File.ReadAllTextAsync("/proc/loadavg")).Trim();
        Console.WriteLine($"Starting the portal (Release, Production, {(options.Postgres is null ? "SQLite" : "PostgreSQL")}) in {data}; load average {load}");
        try
        {
            await using var portal = await PortalProcess.StartAsync(data, options.Postgres, TimeSpan.FromMinutes(2));
            var reply = (await portal.CommandAsync($"batch {count}", options.PhaseTimeout)).Split(' ');
            if (reply[0] != "batch")
            {
                await Console.Error.WriteLineAsync(string.Join(' ', reply));
                return 1;
            }

            var loadAtEnd = (await File.ReadAllTextAsync("/proc/loadavg")).Trim();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                accounts imported ({count}): {reply[1]} ms
                first batch of {count} OTPs (one call): {reply[2]} ms
                same batch again, replacing {count} codes: {reply[3]} ms
                load average at the end: {loadAtEnd}
                """));
            return 0;
        }
        finally
        {
            try
            {
                Directory.Delete(data, recursive: true);
            }
            catch (IOException)
            {
                // A file still closing: the temp folder is cleared by the OS.
            }
        }
    }
}
