using System.Data.Common;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using RoomsPortal.Core.ApiKeys;
using RoomsPortal.Core.Audit;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Tests.Support;

namespace RoomsPortal.Core.Tests.ApiKeys;

public sealed class ApiKeyServiceTests : IAsyncLifetime
{
    private static readonly Actor Manager = Actor.User("manager-1", "Mia Manager");
    private static readonly IPAddress Office = IPAddress.Parse("10.20.3.4");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = default!;
    private ApiKeyService _keys = default!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _keys = new ApiKeyService(_database, _time);
    }

    public async ValueTask DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task A_key_is_shown_once_and_the_database_keeps_only_its_prefix_and_hash()
    {
        var group = (await new RoomGroupService(_database, _time).CreateAsync("North", Manager, Ct)).Value!;

        var created = await _keys.CreateAsync(new NewApiKey("rollout", "SiteLead", [group.Id]), Manager, Ct);

        var (view, key) = created.Value;
        Assert.Matches("^rpk_[a-z2-9]{8}_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal(key[..12], view.Prefix);
        Assert.Equal(_time.GetUtcNow().AddDays(ApiKeyService.DefaultLifetimeDays), view.ExpiresAt);
        await using var db = _database.CreateDbContext();
        var row = await db.Set<ApiKey>().SingleAsync(Ct);
        Assert.Equal(ApiKeyFormat.Hash(key), row.SecretHash);
        Assert.DoesNotContain(key[13..], string.Join("|", row.Name, row.Prefix, row.RoomGroupIds, row.AllowedNetworks, Encoding.UTF8.GetString(row.SecretHash)), StringComparison.Ordinal);
        var audit = await db.Set<AuditEntry>().SingleAsync(e => e.Operation == AuditOperations.ApiKeyCreated, Ct);
        Assert.Equal(("manager-1", "rollout"), (audit.ActorId, audit.Target));
        Assert.Contains("role SiteLead, room groups [North]", audit.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(key[13..], audit.Details, StringComparison.Ordinal);

        var identity = await _keys.AuthenticateAsync(key, Office, Ct);
        Assert.Equal(("SiteLead", group.Id, "API key rollout"), (identity.Value!.Role, Assert.Single(identity.Value.RoomGroupIds), identity.Value.Actor.DisplayName));
    }

    [Fact]
    public async Task Revoked_expired_and_foreign_keys_are_refused_each_with_its_reason()
    {
        var (revoked, revokedKey) = (await _keys.CreateAsync(new NewApiKey("a", "Helpdesk", []), Manager, Ct)).Value;
        var (_, shortKey) = (await _keys.CreateAsync(new NewApiKey("b", "Helpdesk", [], ExpiresInDays: 1), Manager, Ct)).Value;
        await _keys.RevokeAsync(revoked.Id, Manager, Ct);

        Assert.Equal(ApiKeyError.Revoked, (await _keys.AuthenticateAsync(revokedKey, Office, Ct)).Error);
        Assert.True((await _keys.AuthenticateAsync(shortKey, Office, Ct)).Succeeded);
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(ApiKeyError.Expired, (await _keys.AuthenticateAsync(shortKey, Office, Ct)).Error);
        Assert.Equal(ApiKeyError.Unknown, (await _keys.AuthenticateAsync(shortKey[..^1] + (shortKey[^1] == 'A' ? 'B' : 'A'), Office, Ct)).Error);
        Assert.Equal(ApiKeyError.Unknown, (await _keys.AuthenticateAsync("rpk_abcdefgh_" + new string('A', 43), Office, Ct)).Error);
        Assert.Equal(ApiKeyError.Unknown, (await _keys.AuthenticateAsync("Bearer something", Office, Ct)).Error);
    }

    [Fact]
    public async Task Allowed_networks_limit_where_a_key_works_ipv4_mapped_addresses_included()
    {
        var (_, key) = (await _keys.CreateAsync(new NewApiKey("office", "Helpdesk", [], AllowedNetworks: ["10.20.0.0/16", "192.0.2.7"]), Manager, Ct)).Value;

        Assert.True((await _keys.AuthenticateAsync(key, Office, Ct)).Succeeded);
        Assert.True((await _keys.AuthenticateAsync(key, Office.MapToIPv6(), Ct)).Succeeded);
        Assert.True((await _keys.AuthenticateAsync(key, IPAddress.Parse("192.0.2.7"), Ct)).Succeeded);
        Assert.Equal(ApiKeyError.NetworkNotAllowed, (await _keys.AuthenticateAsync(key, IPAddress.Parse("10.21.0.1"), Ct)).Error);
        Assert.Equal(ApiKeyError.NetworkNotAllowed, (await _keys.AuthenticateAsync(key, null, Ct)).Error);
    }

    [Theory]
    [InlineData("", 90, null, ApiKeyError.InvalidName)]
    [InlineData("evil\u202Eexe", 90, null, ApiKeyError.InvalidName)]
    [InlineData("ok", 0, null, ApiKeyError.InvalidLifetime)]
    [InlineData("ok", 366, null, ApiKeyError.InvalidLifetime)]
    [InlineData("ok", 30, "10.0.0.0/33", ApiKeyError.InvalidNetwork)]
    [InlineData("ok", 30, "office", ApiKeyError.InvalidNetwork)]
    public async Task Bad_requests_make_no_key_and_no_entry(string name, int days, string? network, ApiKeyError expected)
    {
        var created = await _keys.CreateAsync(new NewApiKey(name, "Helpdesk", [], days, network is null ? null : [network]), Manager, Ct);

        Assert.Equal(expected, created.Error);
        await using var db = _database.CreateDbContext();
        Assert.Empty(await db.Set<ApiKey>().ToListAsync(Ct));
        Assert.Empty(await db.Set<AuditEntry>().ToListAsync(Ct));
    }

    [Fact]
    public async Task A_room_group_that_does_not_exist_and_a_second_active_key_of_the_same_name_are_refused()
    {
        Assert.Equal(ApiKeyError.RoomGroupNotFound, (await _keys.CreateAsync(new NewApiKey("x", "SiteLead", [Guid.NewGuid()]), Manager, Ct)).Error);
        var first = (await _keys.CreateAsync(new NewApiKey("Nightly", "Helpdesk", []), Manager, Ct)).Value.View;
        Assert.Equal(ApiKeyError.DuplicateName, (await _keys.CreateAsync(new NewApiKey("nightly", "Helpdesk", []), Manager, Ct)).Error);
        await _keys.RevokeAsync(first.Id, Manager, Ct);
        Assert.True((await _keys.CreateAsync(new NewApiKey("nightly", "Helpdesk", []), Manager, Ct)).Succeeded);
    }

    [Fact]
    public async Task The_last_use_is_written_once_a_minute_whatever_address_calls_and_a_failed_write_does_not_refuse_the_key()
    {
        var writes = new LastUseWrites();
        await using var database = await TestDatabase.CreateAsync(writes);
        var keys = new ApiKeyService(database, _time);
        var (view, key) = (await keys.CreateAsync(new NewApiKey("two-hosts", "Helpdesk", []), Manager, Ct)).Value;
        var otherHost = IPAddress.Parse("10.20.9.9");

        for (var call = 0; call < 4; call++)
        {
            Assert.True((await keys.AuthenticateAsync(key, call % 2 == 0 ? Office : otherHost, Ct)).Succeeded);
        }

        Assert.Equal(1, writes.Count);
        Assert.Equal(Office.ToString(), await LastUsedFromAsync(database, view.Id));

        _time.Advance(ApiKeyService.LastUseResolution);
        writes.Failing = true;
        Assert.True((await keys.AuthenticateAsync(key, otherHost, Ct)).Succeeded);
        writes.Failing = false;
        Assert.True((await keys.AuthenticateAsync(key, otherHost, Ct)).Succeeded);

        Assert.Equal(3, writes.Count);
        Assert.Equal(otherHost.ToString(), await LastUsedFromAsync(database, view.Id));
    }

    private async Task<string?> LastUsedFromAsync(TestDatabase database, Guid id)
    {
        await using var db = database.CreateDbContext();
        return (await db.Set<ApiKey>().SingleAsync(k => k.Id == id, Ct)).LastUsedFrom;
    }

    /// <summary>
    /// Counts the last-use writes and, while <see cref="Failing"/>, fails them with the provider's own (not transient)
    /// error; a busy database that stays busy ends the same way, after the execution strategy's retries.
    /// </summary>
    private sealed class LastUseWrites : DbCommandInterceptor
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public bool Failing { get; set; }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
                && command.CommandText.Contains("LastUsedAt", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
                if (Failing)
                {
                    throw TestDatabase.Provider == TestProvider.PostgreSql
                        ? new NpgsqlException("Simulated: disk full")
                        : new SqliteException("Simulated: disk I/O error", 10);
                }
            }

            return ValueTask.FromResult(result);
        }
    }
}
