using System.Net;
using System.Text.Json;
using RoomsPortal.Testing;

namespace RoomsPortal.Web.Tests.Health;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Ready_answers_200_after_checking_the_database()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var check = Assert.Single(body.RootElement.GetProperty("checks").EnumerateArray());
        Assert.Equal("database", check.GetProperty("name").GetString());
        Assert.Equal("Healthy", check.GetProperty("status").GetString());
        Assert.True(File.Exists(Path.Combine(portal.DataDirectory, "roomsportal.db")), "the SQLite file is created in the data folder");
    }

    [Fact]
    public async Task Ready_answers_503_when_the_database_cannot_be_reached()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateClient();
        // Once started, point every new context at a database file in a folder that does not exist.
        var dbFile = Path.Combine(portal.DataDirectory, "roomsportal.db");
        Assert.True(File.Exists(dbFile));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Delete(dbFile);
        Directory.CreateDirectory(dbFile); // a folder where the file was: SQLite cannot open it

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("\"Unhealthy\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_answers_503_naming_the_database_when_it_refuses_writes()
    {
        string dataDirectory;
        await using (var first = new PortalFactory().KeepData())
        {
            dataDirectory = first.DataDirectory;
            using var ready = await first.CreateClient().GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        // The same database file, opened read-only. chmod 0444 would be the obvious way, but the tests run as root,
        // whom file permissions do not stop; SQLite's read-only mode gives the portal the same "attempt to write a
        // readonly database" error a read-only file gives any other user, and reads keep working, as they would.
        var file = Path.Combine(dataDirectory, "roomsportal.db");
        await using var portal = new PortalFactory(dataDirectory).WithSetting("Database:ConnectionString", $"Data Source={file};Mode=ReadOnly");
        using var client = portal.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
        var check = Assert.Single(body.RootElement.GetProperty("checks").EnumerateArray());
        Assert.Equal("database", check.GetProperty("name").GetString());
        Assert.Equal("Unhealthy", check.GetProperty("status").GetString());
        Assert.Contains("refuses writes", check.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Live_answers_200_without_touching_the_database()
    {
        await using var portal = new PortalFactory();
        using var client = portal.CreateClient();

        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Empty(body.RootElement.GetProperty("checks").EnumerateArray());
    }
}
