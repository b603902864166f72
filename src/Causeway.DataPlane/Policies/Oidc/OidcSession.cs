using System.Collections.Concurrent;
using System.Globalization;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// The session the cookies of a request make, opened: the MAC over <c>OauthExpires</c> and the three sealed token
/// cookies must verify and the tokens must decrypt; any change to any of them, or a cookie sealed with another key, is
/// no session at all. A session that verified is remembered (<see cref="Cache"/>, keyed by its MAC cookie and holding
/// the exact cookie values that verified), so the next request with the same cookies costs one scan of the Cookie
/// header and a few comparisons, not an HMAC and AES-GCM. The refresh token stays sealed until a refresh needs it.
/// </summary>
internal sealed class OidcSession
{
    private readonly OidcCookieSeal _seal;
    private readonly string _refreshName;

    private OidcSession(OidcCookieSeal seal, string refreshName, string mac, string expires, long expiresUnix, string? access, string? id, string? refresh,
        string? accessToken, string? idToken)
    {
        _seal = seal;
        _refreshName = refreshName;
        Mac = mac;
        Expires = expires;
        ExpiresUnix = expiresUnix;
        SealedAccess = access;
        SealedId = id;
        SealedRefresh = refresh;
        AccessToken = accessToken;
        IdToken = idToken;
        AccessBearer = accessToken is not null && Authentication.CredentialReader.IsHeaderSafe(accessToken) ? "Bearer " + accessToken : null;
        IdTokenSafe = idToken is not null && Authentication.CredentialReader.IsHeaderSafe(idToken);
    }

    private string Mac { get; }
    private string Expires { get; }
    private string? SealedAccess { get; }
    private string? SealedId { get; }
    private string? SealedRefresh { get; }

    /// <summary>When the access token expires (unix seconds).</summary>
    public long ExpiresUnix { get; }

    public string? AccessToken { get; }

    public string? IdToken { get; }

    /// <summary><c>Bearer &lt;access token&gt;</c>, made once per session; null when there is no token fit for a header.</summary>
    public string? AccessBearer { get; }

    public bool IdTokenSafe { get; }

    public string? RefreshToken => SealedRefresh is null ? null : _seal.Open(_refreshName, SealedRefresh);

    /// <summary>Verified sessions by MAC cookie (bounded: cleared when full), per policy and key.</summary>
    internal sealed class Cache
    {
        private const int Limit = 4096;
        private readonly ConcurrentDictionary<string, OidcSession> _byMac = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, OidcSession>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        public Cache() => _lookup = _byMac.GetAlternateLookup<ReadOnlySpan<char>>();

        public bool TryGet(ReadOnlySpan<char> mac, out OidcSession? session) => _lookup.TryGetValue(mac, out session);

        public void Add(OidcSession session)
        {
            if (_byMac.Count >= Limit) _byMac.Clear();
            _byMac[session.Mac] = session;
        }

        public int Count => _byMac.Count;
    }

    /// <summary>The session in <paramref name="cookieHeader"/>, or null when there is none or it does not verify.</summary>
    public static OidcSession? Read(string? cookieHeader, OidcCookies names, OidcCookieSeal seal, Cache cache)
    {
        if (string.IsNullOrEmpty(cookieHeader)) return null;
        var header = cookieHeader.AsSpan();
        Range mac = default, expires = default, access = default, id = default, refresh = default;
        bool hasMac = false, hasExpires = false, hasAccess = false, hasId = false, hasRefresh = false;
        var rest = header;
        var offset = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf(';');
            var part = end < 0 ? rest : rest[..end];
            var start = offset;
            var trimmedStart = part.Length - part.TrimStart().Length;
            part = part.Trim();
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                var name = part[..eq];
                var valueStart = start + trimmedStart + eq + 1;
                var value = new Range(valueStart, start + trimmedStart + part.Length);
                if (part.Length > eq + 1)
                {
                    if (!hasMac && name.SequenceEqual(names.Hmac)) (mac, hasMac) = (value, true);
                    else if (!hasExpires && name.SequenceEqual(names.Expires)) (expires, hasExpires) = (value, true);
                    else if (!hasAccess && name.SequenceEqual(names.Access)) (access, hasAccess) = (value, true);
                    else if (!hasId && name.SequenceEqual(names.Id)) (id, hasId) = (value, true);
                    else if (!hasRefresh && name.SequenceEqual(names.Refresh)) (refresh, hasRefresh) = (value, true);
                }
            }
            if (end < 0) break;
            rest = rest[(end + 1)..];
            offset += end + 1;
        }
        if (!hasMac || !hasExpires || (!hasAccess && !hasRefresh)) return null;
        if (cache.TryGet(header[mac], out var known) && known is not null
            && header[expires].SequenceEqual(known.Expires) && Same(header, hasAccess, access, known.SealedAccess)
            && Same(header, hasId, id, known.SealedId) && Same(header, hasRefresh, refresh, known.SealedRefresh))
            return known;

        // Not seen yet (or not with these cookies): verify and open.
        var macText = cookieHeader[mac];
        var expiresText = cookieHeader[expires];
        var sealedAccess = hasAccess ? cookieHeader[access] : null;
        var sealedId = hasId ? cookieHeader[id] : null;
        var sealedRefresh = hasRefresh ? cookieHeader[refresh] : null;
        if (!seal.Verify(macText, [expiresText, sealedAccess, sealedId, sealedRefresh])) return null;
        if (!long.TryParse(expiresText, NumberStyles.None, CultureInfo.InvariantCulture, out var expiresUnix)) return null;
        var accessToken = sealedAccess is null ? null : seal.Open(names.Access, sealedAccess);
        var idToken = sealedId is null ? null : seal.Open(names.Id, sealedId);
        if ((sealedAccess is not null && accessToken is null) || (sealedId is not null && idToken is null)) return null;
        var session = new OidcSession(seal, names.Refresh, macText, expiresText, expiresUnix, sealedAccess, sealedId, sealedRefresh, accessToken, idToken);
        cache.Add(session);
        return session;

        static bool Same(ReadOnlySpan<char> header, bool has, Range range, string? known) =>
            has ? known is not null && header[range].SequenceEqual(known) : known is null;
    }
}
