using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace RoomsPortal.Testing;

/// <summary>
/// A TLS-terminating reverse proxy in front of a portal on a real port, as a load balancer would be: it serves HTTPS
/// on a loopback port with its own self-signed certificate, forwards each request to the portal over plain HTTP with
/// the original <c>Host</c>, appends the client's address to <c>X-Forwarded-For</c> (as nginx's
/// <c>$proxy_add_x_forwarded_for</c> does) and sets <c>X-Forwarded-Proto: https</c>.
/// The portal believes these only when it lists 127.0.0.1 in <c>ForwardedHeaders:KnownProxies</c>.
/// </summary>
public sealed class ForwardingProxy : IAsyncDisposable
{
    private static readonly HashSet<string> HopByHop = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Host",
    };

    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly X509Certificate2 _certificate;

    private ForwardingProxy(WebApplication app, HttpClient upstream, X509Certificate2 certificate, Uri address)
    {
        _app = app;
        _upstream = upstream;
        _certificate = certificate;
        Address = address;
    }

    /// <summary>Where clients connect: <c>https://127.0.0.1:port/</c>.</summary>
    public Uri Address { get; }

    /// <summary>
    /// Starts a proxy to <paramref name="portal"/>. Every client is reported as <paramref name="clientAddress"/> when
    /// given (all test clients really are 127.0.0.1), else as the address it connected from.
    /// </summary>
    public static async Task<ForwardingProxy> StartAsync(Uri portal, string? clientAddress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(portal);
        var certificate = CreateCertificate();
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        });
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        app.Run(http => ForwardAsync(http, upstream, portal, clientAddress));
        await app.StartAsync(ct);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        return new ForwardingProxy(app, upstream, certificate, address);
    }

    /// <summary>A handler for clients of the proxy that trusts exactly its certificate and keeps cookies, without following redirects.</summary>
    public HttpMessageHandler CreateClientHandler(CookieContainer cookies) => new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        CookieContainer = cookies,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
                presented is not null && presented.GetCertHashString() == _certificate.GetCertHashString(),
        },
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
        _certificate.Dispose();
    }

    private static async Task ForwardAsync(HttpContext http, HttpClient upstream, Uri portal, string? clientAddress)
    {
        using var request = new HttpRequestMessage(new HttpMethod(http.Request.Method), new Uri(portal, $"{http.Request.Path}{http.Request.QueryString}"));
        if (http.Request.ContentLength > 0 || http.Request.Headers.TransferEncoding.Count > 0)
        {
            request.Content = new StreamContent(http.Request.Body);
        }

        foreach (var (name, values) in http.Request.Headers)
        {
            if (!HopByHop.Contains(name) && !request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        request.Headers.Host = http.Request.Host.Value;
        var client = clientAddress ?? http.Connection.RemoteIpAddress!.ToString();
        var forwardedFor = http.Request.Headers["X-Forwarded-For"].ToString();
        request.Headers.Remove("X-Forwarded-For");
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor.Length == 0 ? client : $"{forwardedFor}, {client}");
        request.Headers.Remove("X-Forwarded-Proto");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", "https");

        using var response = await upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, http.RequestAborted);
        http.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (!HopByHop.Contains(name))
            {
                http.Response.Headers[name] = values.ToArray();
            }
        }

        await response.Content.CopyToAsync(http.Response.Body, http.RequestAborted);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=roomsportal-test-proxy", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(2));
        // Kestrel needs the private key in a form it can load on every platform: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
