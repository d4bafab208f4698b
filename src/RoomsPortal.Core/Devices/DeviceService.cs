using Microsoft.EntityFrameworkCore;
using RoomsPortal.Core.Common;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Core.RoomGroups;

namespace RoomsPortal.Core.Devices;

/// <summary>Sort columns of the device inventory.</summary>
public enum DeviceSort
{
    SignedIn,
    Provisioned,
    Account,
    Make,
    Model,
    Serial,
}

/// <summary>Filter of the device inventory. Search matches account, make, model and serial.</summary>
public sealed record DeviceQuery(
    string? Search = null,
    Guid? RoomGroupId = null,
    DeviceSort Sort = DeviceSort.SignedIn,
    bool Descending = true,
    int Page = 1,
    int PageSize = 50);

/// <summary>A console in the inventory as the Devices page shows it.</summary>
public sealed record DeviceView(
    Guid Id,
    Guid AccountId,
    string AccountUpn,
    string AccountDisplayName,
    Guid? RoomGroupId,
    string? RoomGroupName,
    string Make,
    string Model,
    string Serial,
    string? Firmware,
    ProvisioningMethod Method,
    DateTimeOffset ProvisionedAt,
    DateTimeOffset? SignedInAt);

/// <summary>The inventory of consoles set up through the portal, within the caller's scope.</summary>
public sealed class DeviceService(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<PagedResult<DeviceView>> ListAsync(DeviceQuery query, AccessScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(scope);
        var (page, size) = Paging.Clamp(query.Page, query.PageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var devices = db.Set<Device>().AsNoTracking();
        if (scope.RoomGroupIds is { } ids)
        {
            var list = ids.ToList();
            devices = devices.Where(d => d.RoomGroupId != null && list.Contains(d.RoomGroupId.Value));
        }

        if (query.RoomGroupId is { } groupId)
        {
            devices = devices.Where(d => d.RoomGroupId == groupId);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            // Upper-cased on both sides so the match ignores case on every provider.
            var search = query.Search.Trim().ToUpperInvariant();
            devices = devices.Where(d => d.SerialKey.Contains(search)
                || d.Make.ToUpper().Contains(search)
                || d.Model.ToUpper().Contains(search)
                || d.ResourceAccount!.NormalizedUpn.Contains(search)
                || d.ResourceAccount.DisplayName.ToUpper().Contains(search));
        }

        devices = (query.Sort, query.Descending) switch
        {
            (DeviceSort.Provisioned, false) => devices.OrderBy(d => d.ProvisionedAt),
            (DeviceSort.Provisioned, true) => devices.OrderByDescending(d => d.ProvisionedAt),
            (DeviceSort.Account, false) => devices.OrderBy(d => d.ResourceAccount!.Upn),
            (DeviceSort.Account, true) => devices.OrderByDescending(d => d.ResourceAccount!.Upn),
            (DeviceSort.Make, false) => devices.OrderBy(d => d.Make).ThenBy(d => d.Model),
            (DeviceSort.Make, true) => devices.OrderByDescending(d => d.Make).ThenByDescending(d => d.Model),
            (DeviceSort.Model, false) => devices.OrderBy(d => d.Model),
            (DeviceSort.Model, true) => devices.OrderByDescending(d => d.Model),
            (DeviceSort.Serial, false) => devices.OrderBy(d => d.SerialKey),
            (DeviceSort.Serial, true) => devices.OrderByDescending(d => d.SerialKey),
            (_, false) => devices.OrderBy(d => d.SignedInAt).ThenBy(d => d.ProvisionedAt),
            _ => devices.OrderByDescending(d => d.SignedInAt).ThenByDescending(d => d.ProvisionedAt),
        };
        var total = await devices.CountAsync(ct);
        var items = await devices.Skip((page - 1) * size).Take(size)
            .Select(d => new DeviceView(
                d.Id, d.ResourceAccountId, d.ResourceAccount!.Upn, d.ResourceAccount.DisplayName, d.RoomGroupId,
                db.Set<RoomGroup>().Where(g => g.Id == d.RoomGroupId).Select(g => g.Name).FirstOrDefault(),
                d.Make, d.Model, d.Serial, d.Firmware, d.Method, d.ProvisionedAt, d.SignedInAt))
            .ToListAsync(ct);
        return new PagedResult<DeviceView>(items, total, page, size);
    }
}
