using System.Globalization;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// The session the cookies of a request make, opened: the MAC over <c>OauthExpires</c> and the three sealed token
/// cookies must verify before anything is decrypted; any change to any of them, or a cookie from another key, is no
/// session at all. The tokens stay sealed until a step needs one.
/// </summary>
internal readonly struct OidcSession
{
    private readonly OidcCookies _names;
    private readonly OidcCookieSeal _seal;
    private readonly string? _access;
    private readonly string? _id;
    private readonly string? _refresh;

    private OidcSession(OidcCookies names, OidcCookieSeal seal, long expires, string? access, string? id, string? refresh)
    {
        _names = names;
        _seal = seal;
        ExpiresUnix = expires;
        _access = access;
        _id = id;
        _refresh = refresh;
    }

    /// <summary>When the access token expires (unix seconds).</summary>
    public long ExpiresUnix { get; }

    public bool HasRefreshToken => _refresh is not null;

    /// <summary>The session in <paramref name="cookieHeader"/>, or null when there is none or it does not verify.</summary>
    public static OidcSession? Read(string? cookieHeader, OidcCookies names, OidcCookieSeal seal)
    {
        if (string.IsNullOrEmpty(cookieHeader)) return null;
        var mac = Authentication.CredentialReader.Cookie(cookieHeader, names.Hmac);
        var expiresText = Authentication.CredentialReader.Cookie(cookieHeader, names.Expires);
        if (mac is null || expiresText is null) return null;
        var access = Authentication.CredentialReader.Cookie(cookieHeader, names.Access);
        var id = Authentication.CredentialReader.Cookie(cookieHeader, names.Id);
        var refresh = Authentication.CredentialReader.Cookie(cookieHeader, names.Refresh);
        if (access is null && refresh is null) return null;
        if (!seal.Verify(mac, [expiresText, access, id, refresh])) return null;
        if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expires)) return null;
        return new OidcSession(names, seal, expires, access, id, refresh);
    }

    public string? AccessToken => _access is null ? null : _seal.Open(_names.Access, _access);

    public string? IdToken => _id is null ? null : _seal.Open(_names.Id, _id);

    public string? RefreshToken => _refresh is null ? null : _seal.Open(_names.Refresh, _refresh);
}
