using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using RoomsPortal.ConsoleClient.Protocol;

namespace RoomsPortal.ConsoleClient;

/// <summary>
/// Drives a console's first-time setup against a RoomsPortal: device verification, end user agreement,
/// one-time password or manual setup, and the live approval status. One instance per console; not thread-safe
/// for concurrent calls of the same kind.
/// </summary>
public sealed partial class ConsoleSetupClient : IAsyncDisposable
{
    private const string ApiRoot = "api/console/v1/";
    private readonly HttpClient _http;
    private readonly ConsoleDevice _device;
    private readonly TimeProvider _time;
    private string? _token;
    private DateTimeOffset _tokenExpiresAt;

    /// <summary>Creates a client for one console.</summary>
    /// <param name="http">An HttpClient whose BaseAddress is the portal's root address.</param>
    /// <param name="device">The console.</param>
    /// <param name="time">Clock for the credential's expiry; the system clock when null.</param>
    public ConsoleSetupClient(HttpClient http, ConsoleDevice device, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(device);
        if (http.BaseAddress is null)
        {
            throw new ArgumentException("Set HttpClient.BaseAddress to the portal's address.", nameof(http));
        }

        _http = http;
        _device = device;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Raised when the live connection changes: "connected", "reconnecting", "reconnected", "credential-expired" (the
    /// portal is closing the connection because its credential ended; the client verifies again and reconnects), "closed".
    /// </summary>
    public event Action<string>? ConnectionChanged;

    /// <summary>The last verification's answer, after <see cref="VerifyDeviceAsync"/>.</summary>
    public VerifyDeviceResponse? Verification { get; private set; }

    /// <summary>Proves the console is certified and stores the device credential for the next calls.</summary>
    /// <exception cref="ConsoleApiException">Verification failed; <see cref="ConsoleApiException.Troubleshooting"/> says what to do.</exception>
    public async Task<VerifyDeviceResponse> VerifyDeviceAsync(CancellationToken cancellationToken = default)
    {
        var body = new VerifyDeviceRequest(_device.Make, _device.Model, _device.SerialNumber, _device.FirmwareVersion, _device.VerificationInfo);
        using var response = await _http.PostAsJsonAsync(ApiRoot + "verification", body, ConsoleJson.Options, cancellationToken).ConfigureAwait(false);
        var result = await ReadAsync<VerifyDeviceResponse>(response, cancellationToken).ConfigureAwait(false);
        _token = result.DeviceToken;
        _tokenExpiresAt = result.ExpiresAt;
        Verification = result;
        return result;
    }

    /// <summary>The current end user agreement, to show before the user accepts it (needs no credential).</summary>
    public async Task<AgreementResponse> GetAgreementAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri(ApiRoot + "agreement", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        return await ReadAsync<AgreementResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Records that the user accepted the end user agreement of <paramref name="version"/> (the current one).</summary>
    /// <exception cref="ConsoleApiException"><c>agreement_version_mismatch</c> when another agreement is current now.</exception>
    public async Task AcceptAgreementAsync(string version, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "agreement", new AcceptAgreementRequest(version), cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Redeems a one-time password; the answer says approved or pending, with the request id.</summary>
    public async Task<SetupStatusResponse> RedeemOtpAsync(string code, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "otp/redeem", new RedeemOtpRequest(code), cancellationToken).ConfigureAwait(false);
        return await ReadAsync<SetupStatusResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the portal for a request's current status (the database is the truth).</summary>
    public async Task<SetupStatusResponse> GetStatusAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, $"requests/{requestId}", null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<SetupStatusResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches the account's sign-in data for an approved request; the portal releases it once.</summary>
    public async Task<SignInDataResponse> ClaimSignInDataAsync(Guid requestId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"requests/{requestId}/sign-in-data", null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<SignInDataResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Manual setup: signs the console in with the account's email and password.</summary>
    public async Task<ManualSetupResponse> ManualSetupAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, "manual-setup", new ManualSetupRequest(email, password), cancellationToken).ConfigureAwait(false);
        return await ReadAsync<ManualSetupResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until an admin decides (or the request expires), listening on the console hub. It reconnects with
    /// backoff when the connection drops, and asks for the current status on every (re)connect, so a missed
    /// push is never lost. When the portal closes the connection because its credential ended, it verifies again
    /// and reconnects.
    /// </summary>
    /// <param name="requestId">The request from <see cref="RedeemOtpAsync"/>.</param>
    /// <param name="progress">Told of every status the client sees, including the first.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async Task<SetupStatusResponse> WaitForDecisionAsync(
        Guid requestId, IProgress<SetupStatusResponse>? progress = null, CancellationToken cancellationToken = default)
    {
        var decided = new TaskCompletionSource<SetupStatusResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Observe(SetupStatusResponse status)
        {
            if (status.RequestId != requestId)
            {
                return;
            }

            progress?.Report(status);
            if (status.IsFinal)
            {
                decided.TrySetResult(status);
            }
        }

        var backoff = new BackoffRetryPolicy();
        for (var closes = 0; ; closes++)
        {
            var ended = await ListenOnceAsync(requestId, Observe, decided, cancellationToken).ConfigureAwait(false);
            if (decided.Task.IsCompleted)
            {
                return await decided.Task.ConfigureAwait(false);
            }

            if (!ended)
            {
                // Closed for another reason (the portal restarted, say): wait a little longer each time, never give up.
                await Task.Delay(backoff.DelayFor(closes), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<string> CurrentTokenAsync(CancellationToken cancellationToken)
    {
        // Renew a minute early so a call never arrives with a credential that just ran out.
        if (_token is null || _tokenExpiresAt - _time.GetUtcNow() < TimeSpan.FromMinutes(1))
        {
            await VerifyDeviceAsync(cancellationToken).ConfigureAwait(false);
        }

        return _token!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(method, path, body, cancellationToken).ConfigureAwait(false);
        // Only a refused credential carries a Bearer challenge; a 401 for a wrong manual-setup password does not,
        // and repeating that would count a second failure against the console.
        if (response.StatusCode != HttpStatusCode.Unauthorized || response.Headers.WwwAuthenticate.Count == 0)
        {
            return response;
        }

        // The credential ran out or the portal forgot it: verify again once, then repeat the call.
        response.Dispose();
        await VerifyDeviceAsync(cancellationToken).ConfigureAwait(false);
        return await SendOnceAsync(method, path, body, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, ApiRoot + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await CurrentTokenAsync(cancellationToken).ConfigureAwait(false));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: ConsoleJson.Options);
        }

        return await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadFromJsonAsync<T>(ConsoleJson.Options, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The portal answered with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        ProblemBody? problem = null;
        try
        {
            problem = await response.Content.ReadFromJsonAsync<ProblemBody>(ConsoleJson.Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Not a problem document (a proxy's error page, say): fall back to the status line.
        }

        var retryAfter = response.Headers.RetryAfter?.Delta;
        throw new ConsoleApiException(
            response.StatusCode,
            problem?.Code ?? $"http_{(int)response.StatusCode}",
            problem?.Title ?? response.ReasonPhrase ?? "The portal refused the request.",
            problem?.Detail,
            problem?.Troubleshooting ?? [],
            retryAfter);
    }

    private sealed record ProblemBody(string? Code, string? Title, string? Detail, string[]? Troubleshooting);

    /// <summary>0, 1, 2, 4, 8, 16 then every 30 seconds, forever: a console in a meeting room never gives up.</summary>
    private sealed class BackoffRetryPolicy : IRetryPolicy
    {
        public TimeSpan DelayFor(int attempt) =>
            attempt == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt - 1)));

        public TimeSpan? NextRetryDelay(RetryContext retryContext) => DelayFor((int)retryContext.PreviousRetryCount);
    }
}
