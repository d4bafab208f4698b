namespace RoomsPortal.Core.Audit;

/// <summary>How an audit entry names many things at once: the first ones in full, then how many in all.</summary>
public static class AuditLists
{
    /// <summary>How many items an entry names at most.</summary>
    public const int MaxNamed = 50;

    // Leaves room in Details for the sentence around the list.
    private const int Budget = AuditEntry.DetailsMaxLength - 400;

    /// <summary>"a, b, c" when all fit; otherwise the first ones (at most <see cref="MaxNamed"/>) and "... and 12 more (62 in all)".</summary>
    public static string FirstOf(IReadOnlyCollection<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var named = new List<string>();
        var length = 0;
        foreach (var item in items)
        {
            if (named.Count == MaxNamed || length + item.Length + 2 > Budget)
            {
                break;
            }

            named.Add(item);
            length += item.Length + 2;
        }

        var listed = string.Join(", ", named);
        return named.Count == items.Count ? listed : $"{listed} ... and {items.Count - named.Count} more ({items.Count} in all)";
    }
}
