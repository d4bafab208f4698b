using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.RoomGroups;
using RoomsPortal.Core.Tests.Support;

namespace RoomsPortal.Core.Tests.RoomGroups;

public sealed class RoomGroupStoreTests
{
    [Fact]
    public async Task Migrated_database_stores_and_reads_a_room_group()
    {
        await using var database = await TestDatabase.CreateAsync();
        var ct = TestContext.Current.CancellationToken;

        await using (var db = database.CreateDbContext())
        {
            db.RoomGroups.Add(new RoomGroup { Id = Guid.NewGuid(), Name = "Building 4", CreatedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync(ct);
        }

        await using (var db = database.CreateDbContext())
        {
            var group = await db.RoomGroups.SingleAsync(ct);
            Assert.Equal("Building 4", group.Name);
        }

        if (database.FilePath is { } file)
        {
            Assert.True(File.Exists(file));
        }
    }

    [Fact]
    public async Task Room_group_names_are_unique()
    {
        await using var database = await TestDatabase.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateDbContext();
        db.RoomGroups.Add(new RoomGroup { Id = Guid.NewGuid(), Name = "HQ" });
        db.RoomGroups.Add(new RoomGroup { Id = Guid.NewGuid(), Name = "HQ" });

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync(ct));
    }
}
