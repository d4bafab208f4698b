using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace RoomsPortal.ConsoleClient.Protocol;

/// <summary>
/// The JSON of the console protocol, on HTTP and on the hub alike: camelCase names, enums as their names
/// (<c>"Approved"</c>, never a number), times in UTC with at most millisecond precision
/// (<c>2026-11-27T04:00:00.000Z</c>). The portal applies <see cref="Configure"/> to its API and its console hub,
/// and the SDK uses <see cref="Options"/>, so the three cannot disagree.
/// </summary>
public static class ConsoleJson
{
    /// <summary>The protocol's serializer options (read-only).</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Adds the protocol's converters to <paramref name="options"/> (e.g. a host's HTTP or SignalR JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        if (!options.Converters.Any(c => c is JsonStringEnumConverter))
        {
            options.Converters.Add(new JsonStringEnumConverter(namingPolicy: null, allowIntegerValues: false));
        }

        if (!options.Converters.Any(c => c is UtcMillisecondsConverter))
        {
            options.Converters.Add(new UtcMillisecondsConverter());
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>Writes a time as UTC with exactly three fractional digits; reads any ISO 8601 time.</summary>
    private sealed class UtcMillisecondsConverter : JsonConverter<DateTimeOffset>
    {
        private const string Format = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture));
    }
}
