using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;

namespace RoomsPortal.Core.Devices;

/// <summary>A console in the inventory, as the Devices grid shows it.</summary>
public sealed record DeviceView(
    Guid Id,
    string Serial,
    string Make,
    string Model,
    string? Firmware,
    Guid ResourceAccountId,
    string AccountUpn,
    Guid? RoomGroupId,
    ProvisioningMethod Method,
    DateTimeOffset ProvisionedAt,
    DateTimeOffset? SignedInAt);

/// <summary>Filter of the Devices grid.</summary>
/// <param name="Search">Matches serial, make, model or account UPN.</param>
/// <param name="RoomGroupId">Only this room group.</param>
/// <param name="Page">1-based page.</param>
/// <param name="PageSize">Rows per page (at most 200).</param>
/// <param name="Sort">The column to sort by, in the database.</param>
/// <param name="Descending">Sort from highest (newest, Z) to lowest.</param>
public sealed record DeviceQuery(
    string? Search = null,
    Guid? RoomGroupId = null,
    int Page = 1,
    int PageSize = 50,
    DeviceSort Sort = DeviceSort.Serial,
    bool Descending = false);

/// <summary>Sort columns of the Devices grid.</summary>
public enum DeviceSort
{
    Serial,
    SignedIn,
    Provisioned,
    Account,
    Make,
    Model,
}

/// <summary>Reads the console inventory within the caller's scope.</summary>
public sealed class DeviceInventoryService(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<PagedResult<DeviceView>> ListAsync(DeviceQuery query, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var devices = db.Set<Device>().AsNoTracking();
        devices = devices.WhereInScope(scope, d => d.RoomGroupId);

        if (query.RoomGroupId is { } groupId)
        {
            devices = devices.Where(d => d.RoomGroupId == groupId);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim().ToUpperInvariant();
            devices = devices.Where(d => d.Serial.ToUpper().Contains(search) || d.Make.ToUpper().Contains(search)
                || d.Model.ToUpper().Contains(search) || d.ResourceAccount!.NormalizedUpn.Contains(search));
        }

        var total = await devices.CountAsync(ct);
        var items = await Sort(devices, query.Sort, query.Descending).Skip((page - 1) * size).Take(size)
            .Select(d => new DeviceView(d.Id, d.Serial, d.Make, d.Model, d.Firmware, d.ResourceAccountId, d.ResourceAccount!.Upn,
                d.RoomGroupId, d.Method, d.ProvisionedAt, d.SignedInAt))
            .ToListAsync(ct);
        return new PagedResult<DeviceView>(items, total, page, size);
    }

    // The id breaks every remaining tie (a room of one model, one approval batch), so paging neither repeats nor skips a device.
    private static IOrderedQueryable<Device> Sort(IQueryable<Device> devices, DeviceSort sort, bool descending) => ((sort, descending) switch
    {
        (DeviceSort.SignedIn, false) => devices.OrderBy(d => d.SignedInAt).ThenBy(d => d.ProvisionedAt),
        (DeviceSort.SignedIn, true) => devices.OrderByDescending(d => d.SignedInAt).ThenByDescending(d => d.ProvisionedAt),
        (DeviceSort.Provisioned, false) => devices.OrderBy(d => d.ProvisionedAt),
        (DeviceSort.Provisioned, true) => devices.OrderByDescending(d => d.ProvisionedAt),
        (DeviceSort.Account, false) => devices.OrderBy(d => d.ResourceAccount!.NormalizedUpn),
        (DeviceSort.Account, true) => devices.OrderByDescending(d => d.ResourceAccount!.NormalizedUpn),
        (DeviceSort.Make, false) => devices.OrderBy(d => d.Make).ThenBy(d => d.Model),
        (DeviceSort.Make, true) => devices.OrderByDescending(d => d.Make).ThenByDescending(d => d.Model),
        (DeviceSort.Model, false) => devices.OrderBy(d => d.Model),
        (DeviceSort.Model, true) => devices.OrderByDescending(d => d.Model),
        (_, true) => devices.OrderByDescending(d => d.Serial).ThenByDescending(d => d.DeviceKey),
        _ => devices.OrderBy(d => d.Serial).ThenBy(d => d.DeviceKey),
    }).ThenBy(d => d.Id);
}
