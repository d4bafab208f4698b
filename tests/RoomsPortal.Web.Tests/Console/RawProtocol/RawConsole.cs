using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RoomsPortal.Web.Tests.Console.RawProtocol;

/// <summary>
/// A console written from docs/console-protocol.md alone: plain HTTP and System.Text.Json over JsonDocument, ECDSA
/// from the base library for the statement. It uses no type of the SDK or the portal.
/// </summary>
internal sealed class RawConsole(Uri portal, string make, string model, string serialNumber) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = portal };

    public string? Token { get; private set; }

    /// <summary>The statement of section 1: ECDSA P-256 / SHA-256, IEEE P1363 (r‖s), base64url without padding.</summary>
    public static string SignStatement(ECDsa manufacturerKey, string make, string model, string serialNumber)
    {
        var bytes = Encoding.UTF8.GetBytes($"RoomsPortal-DeviceStatement-v1\n{make.Trim()}\n{model.Trim()}\n{serialNumber.Trim()}");
        var signature = manufacturerKey.SignData(bytes, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return Convert.ToBase64String(signature).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public async Task<Answer> VerifyAsync(ECDsa manufacturerKey, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Post, "verification", new
        {
            make,
            model,
            serialNumber,
            firmwareVersion = "0.9-raw",
            verificationInfo = SignStatement(manufacturerKey, make, model, serialNumber),
        }, credential: false, ct);
        if (answer.Status == HttpStatusCode.OK)
        {
            Token = answer.Json.GetProperty("deviceToken").GetString();
        }

        return answer;
    }

    public Task<Answer> GetAsync(string path, CancellationToken ct, bool credential = true) => SendAsync(HttpMethod.Get, path, null, credential, ct);

    public Task<Answer> PostAsync(string path, object? body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, credential: true, ct);

    public void Dispose() => _http.Dispose();

    private async Task<Answer> SendAsync(HttpMethod method, string path, object? body, bool credential, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri("api/console/v1/" + path, UriKind.Relative));
        if (credential && Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        using var json = JsonDocument.Parse(text.Length == 0 ? "null" : text);
        return new Answer(
            response.StatusCode,
            json.RootElement.Clone(),
            response.Content.Headers.ContentType?.MediaType,
            response.Headers.CacheControl?.NoStore == true,
            response.Headers.WwwAuthenticate.ToString(),
            response.Headers.RetryAfter?.Delta);
    }

    /// <summary>What the portal answered: status, JSON body (null JSON for none) and the headers the document names.</summary>
    internal sealed record Answer(HttpStatusCode Status, JsonElement Json, string? ContentType, bool NoStore, string WwwAuthenticate, TimeSpan? RetryAfter)
    {
        public string? Code => Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty("code", out var code) ? code.GetString() : null;

        public string Text(string property) => Json.GetProperty(property).GetString()!;
    }
}
