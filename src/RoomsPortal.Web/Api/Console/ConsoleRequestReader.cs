using System.Text.Json;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.Web.Api.Console;

/// <summary>
/// Reads a console's JSON body with a size cap and answers malformed input with a 400 that says what is wrong,
/// before anything is written.
/// </summary>
internal static class ConsoleRequestReader
{
    public const int MaxBodyBytes = 8 * 1024;

    public static Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, CancellationToken ct)
        where T : class => ReadAsync<T>(request, MaxBodyBytes, ConsoleJson.Options, ct);

    /// <summary>The same for another API: its own size cap and serializer options (the automation API refuses unknown fields).</summary>
    public static async Task<(T? Value, IResult? Problem)> ReadAsync<T>(HttpRequest request, int maxBodyBytes, JsonSerializerOptions options, CancellationToken ct)
        where T : class
    {
        if (request.ContentLength > maxBodyBytes)
        {
            return (null, TooLarge(maxBodyBytes));
        }

        if (request.ContentType is null || !request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, ConsoleProblems.InvalidRequest("body", "Send the body as JSON with Content-Type: application/json."));
        }

        if (await ReadCappedAsync(request, maxBodyBytes, ct) is not { } body)
        {
            return (null, TooLarge(maxBodyBytes));
        }

        try
        {
            var value = JsonSerializer.Deserialize<T>(body.Span, options);
            return value is null
                ? (null, ConsoleProblems.InvalidRequest("body", "The body is empty: send a JSON object."))
                : (value, null);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } path ? $" at {path}" : "";
            var why = ex.Message.Contains("could not be mapped", StringComparison.Ordinal) ? " (a field this call does not take)"
                : ex.Message.Contains("missing required", StringComparison.Ordinal) ? " (a required field is missing)"
                : string.Empty;
            return (null, ConsoleProblems.InvalidRequest("body", $"The body is not valid JSON for this call{where}{why}."));
        }
    }

    /// <summary>
    /// The body's bytes, or null when it is longer than <paramref name="maxBytes"/>: a declared length is refused at once,
    /// a chunked body as soon as it passes the cap, so no oversized body is ever held in memory.
    /// </summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadCappedAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static IResult TooLarge(int maxBodyBytes) =>
        ConsoleProblems.InvalidRequest("body", $"The body is larger than {maxBodyBytes} bytes.");
}
