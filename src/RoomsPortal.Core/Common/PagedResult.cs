namespace RoomsPortal.Core.Common;

/// <summary>One page of a grid query, with the total count for the pager.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int TotalCount, int Page, int PageSize);

/// <summary>Paging limits shared by every list query.</summary>
public static class Paging
{
    public const int MaxPageSize = 200;

    public static (int Page, int PageSize) Clamp(int page, int pageSize) =>
        (Math.Max(1, page), Math.Clamp(pageSize, 1, MaxPageSize));
}
