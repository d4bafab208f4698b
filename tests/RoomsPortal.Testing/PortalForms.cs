using System.Net;
using System.Text.RegularExpressions;

namespace RoomsPortal.Testing;

/// <summary>
/// Submits the portal's static forms (sign-in, change password) the way a browser does: GET the page, take its
/// antiforgery token and form name, POST the fields. Use a client that keeps cookies.
/// </summary>
public static partial class PortalForms
{
    public static async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string path, IReadOnlyDictionary<string, string> fields, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(fields);
        using var page = await client.GetAsync(new Uri(path, UriKind.Relative), ct);
        if (page.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path} answered {(int)page.StatusCode}, not the form.");
        }

        var html = await page.Content.ReadAsStringAsync(ct);
        var form = new Dictionary<string, string>(fields, StringComparer.Ordinal)
        {
            ["__RequestVerificationToken"] = HiddenValue(html, "__RequestVerificationToken"),
            ["_handler"] = HiddenValue(html, "_handler"),
        };
        using var content = new FormUrlEncodedContent(form);
        return await client.PostAsync(new Uri(path, UriKind.Relative), content, ct);
    }

    /// <summary>Posts the sign-in form with a user name and password.</summary>
    public static Task<HttpResponseMessage> SignInAsync(HttpClient client, string userName, string password, string? returnUrl = null, CancellationToken ct = default) =>
        SubmitAsync(
            client,
            returnUrl is null ? "/account/sign-in" : $"/account/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}",
            new Dictionary<string, string> { ["Input.UserName"] = userName, ["Input.Password"] = password },
            ct);

    /// <summary>
    /// Posts the sign-out form (in the user menu) with an antiforgery token taken from the change-password page: tokens
    /// belong to the user and the antiforgery cookie, not to one form.
    /// </summary>
    public static async Task<HttpResponseMessage> SignOutAsync(HttpClient client, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var page = await client.GetAsync(new Uri("/account/change-password", UriKind.Relative), ct);
        var html = await page.Content.ReadAsStringAsync(ct);
        using var content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = HiddenValue(html, "__RequestVerificationToken"),
        });
        return await client.PostAsync(new Uri("/account/sign-out", UriKind.Relative), content, ct);
    }

    /// <summary>Where a redirect points: the path and query when it stays on the portal, else the whole address.</summary>
    public static string? RedirectTarget(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Headers.Location;
        if (location is null || !location.IsAbsoluteUri)
        {
            return location?.ToString();
        }

        return location.Host == "localhost" ? location.PathAndQuery : location.ToString();
    }

    private static string HiddenValue(string html, string name)
    {
        foreach (Match input in InputTag().Matches(html))
        {
            if (input.Value.Contains($"name=\"{name}\"", StringComparison.Ordinal))
            {
                var value = ValueAttribute().Match(input.Value);
                if (value.Success)
                {
                    return WebUtility.HtmlDecode(value.Groups[1].Value);
                }
            }
        }

        throw new InvalidOperationException($"The page has no hidden field {name}.");
    }

    [GeneratedRegex("<input[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ValueAttribute();
}
