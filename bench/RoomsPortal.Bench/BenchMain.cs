namespace RoomsPortal.Bench;

/// <summary>
/// One executable, two roles: without <c>--portal-host</c> it is the console swarm, which starts itself again with
/// <c>--portal-host</c> as a child process that hosts the real portal. Kept apart so the portal's RSS and CPU read from
/// /proc are the portal's alone.
/// </summary>
internal static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        // Listens to this process's GC pauses from the start (the portal host's and the swarm's own).
        _ = GcPauses.Instance;
        if (args.Contains(PortalHost.Flag))
        {
            return await PortalHost.RunAsync(args);
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return 0;
        }

        if (options.Sheets is { } sheets)
        {
            return await SheetsRun.RunAsync(sheets);
        }

        if (options.Notifications is not null)
        {
            return await NotificationsRun.RunAsync(options);
        }

        if (options.Pages is not null)
        {
            return await PagesRun.RunAsync(options);
        }

        return options.Batch is { } batch ? await BatchRun.RunAsync(batch, options) : await Swarm.RunAsync(options);
    }
}
