using System.Globalization;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// The OIDC cookies of one policy: their names (EG's scheme: <c>OauthHMAC-</c>, <c>OauthExpires-</c>,
/// <c>AccessToken-</c> (or <c>cookieNames.accessToken</c>), <c>IdToken-</c> (or <c>cookieNames.idToken</c>),
/// <c>RefreshToken-</c> and, during a login, <c>OauthNonce-</c>, each with the policy's suffix), their attributes
/// (<c>Path=/; HttpOnly</c>, <c>Secure</c> on https, <c>Domain</c> and <c>SameSite</c> as configured) and the
/// session they make together.
/// </summary>
internal sealed class OidcCookies
{
    private readonly string _attributes;
    private readonly string _secureAttributes;

    public OidcCookies(OidcIr ir)
    {
        Hmac = "OauthHMAC-" + ir.CookieSuffix;
        Expires = "OauthExpires-" + ir.CookieSuffix;
        Access = ir.AccessTokenCookie;
        Id = ir.IdTokenCookie;
        Refresh = "RefreshToken-" + ir.CookieSuffix;
        Login = "OauthNonce-" + ir.CookieSuffix;
        var sb = new StringBuilder("; Path=/; HttpOnly");
        if (ir.CookieDomain is { } domain) sb.Append("; Domain=").Append(domain);
        if (ir.SameSite is { } sameSite) sb.Append("; SameSite=").Append(sameSite);
        _attributes = sb.ToString();
        _secureAttributes = _attributes + "; Secure";
    }

    public string Hmac { get; }
    public string Expires { get; }
    public string Access { get; }
    public string Id { get; }
    public string Refresh { get; }
    public string Login { get; }

    public string Attributes(bool secure) => secure ? _secureAttributes : _attributes;

    public string Set(string name, string value, long maxAgeSeconds, bool secure) =>
        $"{name}={value}; Max-Age={Math.Max(0, maxAgeSeconds).ToString(CultureInfo.InvariantCulture)}{Attributes(secure)}";

    public string Clear(string name, bool secure) => $"{name}=deleted; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT{Attributes(secure)}";

    /// <summary>Set-Cookie values that end the session (and a pending login).</summary>
    public IEnumerable<string> ClearAll(bool secure)
    {
        yield return Clear(Hmac, secure);
        yield return Clear(Expires, secure);
        yield return Clear(Access, secure);
        yield return Clear(Id, secure);
        yield return Clear(Refresh, secure);
    }
}
