using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Causeway.DataPlane.Policies.Authentication;
using Causeway.Translation.Ir;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Causeway.DataPlane.Policies.Oidc;

/// <summary>
/// SecurityPolicy <c>oidc</c>: OpenID Connect login with the authorization code flow (PKCE S256, state, nonce).
/// Synchronous, without I/O: a valid session cookie (the request goes on, with the access token as
/// <c>Authorization: Bearer</c> when forwardAccessToken), a JWT for the policy's providers (passThroughAuthHeader),
/// the login redirect (401 instead when a denyRedirect header matches), logout (cookies cleared, 302 to the provider's
/// end_session_endpoint with id_token_hint and client_id, else to <c>/</c>). With I/O, on the returned task: the
/// callback (code exchanged at the token endpoint, ID token checked: signature against the provider's keys, iss, aud,
/// exp, nonce; session cookies set; 302 to the URL the login started from) and the refresh of an expired access token
/// with the refresh token (new cookies, then 307 to the same URL so the client repeats the request with them).
/// </summary>
internal sealed class OidcStep : AsyncDecideStep
{
    private static readonly TimeSpan DiscoveryWait = TimeSpan.FromSeconds(5);
    private static readonly HeaderText AuthorizationHeader = new("Authorization");
    private static readonly string[] Algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    private readonly OidcIr _ir;
    private readonly OidcRuntime _runtime;
    private readonly OidcCookies _cookies;
    private readonly string _callbackPath;
    private readonly CredentialSourceIr[] _passThrough;
    private readonly (string Name, string Type, string Value, Regex? Regex)[] _deny;
    private readonly HeaderText? _forwardId;
    private readonly bool _forwardIdAsBearer;
    private readonly string _authorizeQuery;
    private readonly TimeProvider _time;

    public OidcStep(OidcIr ir, OidcRuntime runtime, IEnumerable<CredentialSourceIr> passThrough, TimeProvider? time = null)
    {
        _ir = ir;
        _runtime = runtime;
        _time = time ?? TimeProvider.System;
        _cookies = new OidcCookies(ir);
        _callbackPath = new Uri(RedirectUri(ir.RedirectUrl, "http", "host")).AbsolutePath;
        _passThrough = ir.PassThroughAuthHeader ? [.. passThrough.Where(s => s.Kind == CredentialSourceKind.Header)] : [];
        _deny = [.. ir.DenyRedirect.Select(d => (d.Name, d.Type, d.Value,
            d.Type == "RegularExpression" ? new Regex("^(?:" + d.Value + ")$", RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50)) : null))];
        _forwardId = ir.ForwardIdTokenHeader is { } h ? new HeaderText(h) : null;
        _forwardIdAsBearer = "Authorization".Equals(ir.ForwardIdTokenHeader, StringComparison.OrdinalIgnoreCase);
        var q = new StringBuilder("response_type=code&client_id=").Append(Uri.EscapeDataString(ir.ClientId))
            .Append("&scope=").Append(Uri.EscapeDataString(string.Join(' ', ir.Scopes)));
        foreach (var r in ir.Resources) q.Append("&resource=").Append(Uri.EscapeDataString(r));
        _authorizeQuery = q.ToString();
    }

    public override StepStage Stage => StepStage.Authentication;

    public OidcRuntime Runtime => _runtime;

    public override ValueTask<DecideOutcome> Start<TRequest>(in TRequest request, in RequestFacts facts)
    {
        // A byte transport that cannot present the path exactly (escapes) hands the request to Kestrel, as JWT does.
        if (request.DecodedPath is not { } path) return new(new DecideOutcome(StepVerdict.NeedsFullPipeline, null));
        var cookieHeader = !request.TryGetHeader("Cookie", out var cookieValues) || cookieValues.Count == 0 ? null
            : cookieValues.Count == 1 ? cookieValues[0] : string.Join("; ", cookieValues.ToArray());
        var secure = facts.Scheme == "https";
        if (path == _callbackPath) return Callback(request.Query, cookieHeader, secure);
        if (path == _ir.LogoutPath) return new(Logout(cookieHeader, secure));
        foreach (var source in _passThrough)
        {
            if (CredentialReader.Read(request, source) is null) continue;
            _runtime.Count(OidcResult.Pass);
            return new(DecideOutcome.Continue); // the JWT step validates it
        }
        if (OidcSession.Read(cookieHeader, _cookies, _runtime.Seal, _runtime.Sessions) is { } session)
        {
            if (_time.GetUtcNow().ToUnixTimeSeconds() < session.ExpiresUnix && Forward(session, facts.Policy!))
            {
                _runtime.Count(OidcResult.Session);
                return new(DecideOutcome.Continue);
            }
            if (_ir.RefreshToken && session.RefreshToken is { } refresh)
                return new(RefreshAsync(refresh, OriginalUrl(facts.Scheme, request.Host, path, request.Query), secure));
        }
        if (DenyRedirect(request))
        {
            _runtime.Count(OidcResult.Denied);
            return new(DecideOutcome.Answer(AuthReplies.Unauthorized("OAuth flow failed.", null)));
        }
        var url = OriginalUrl(facts.Scheme, request.Host, path, request.Query);
        var redirectUri = RedirectUri(_ir.RedirectUrl, facts.Scheme, request.Host);
        if (_runtime.Current is { } metadata) return new(DecideOutcome.Answer(Login(metadata, url, redirectUri, secure)));
        return new(LoginWhenDiscoveredAsync(url, redirectUri, secure));
    }

    /// <summary>Sets the headers the backend gets from a valid session; false when a token it needs does not open.</summary>
    private bool Forward(OidcSession session, RequestPolicyState policy)
    {
        if (_ir.ForwardAccessToken)
        {
            if (session.AccessBearer is not { } bearer) return false;
            policy.SetRequestHeader(AuthorizationHeader, bearer);
        }
        if (_forwardId is not null)
        {
            if (session.IdToken is not { } id || !session.IdTokenSafe) return false;
            policy.SetRequestHeader(_forwardId, _forwardIdAsBearer ? "Bearer " + id : id);
        }
        return true;
    }

    private bool DenyRedirect<TRequest>(in TRequest request) where TRequest : struct, IRequestView
    {
        foreach (var (name, type, value, regex) in _deny)
        {
            if (!request.TryGetHeader(name, out var values)) continue;
            foreach (var v in values)
            {
                if (v is null) continue;
                var hit = type switch
                {
                    "Prefix" => v.StartsWith(value, StringComparison.Ordinal),
                    "Suffix" => v.EndsWith(value, StringComparison.Ordinal),
                    "RegularExpression" => Matches(regex!, v),
                    _ => v == value,
                };
                if (hit) return true;
            }
        }
        return false;

        static bool Matches(Regex regex, string v)
        {
            try
            {
                return regex.IsMatch(v);
            }
            catch (RegexMatchTimeoutException)
            {
                return false;
            }
        }
    }

    private async Task<DecideOutcome> LoginWhenDiscoveredAsync(string url, string redirectUri, bool secure)
    {
        if (await _runtime.WaitAsync(DiscoveryWait).ConfigureAwait(false) is { } metadata) return DecideOutcome.Answer(Login(metadata, url, redirectUri, secure));
        _runtime.Count(OidcResult.Unavailable);
        return DecideOutcome.Answer(new LocalReply(503) { Body = "OIDC provider unavailable"u8.ToArray(), ContentType = "text/plain" });
    }

    /// <summary>The redirect to the authorization endpoint, with the login's state, nonce and PKCE verifier sealed in a cookie.</summary>
    private LocalReply Login(OidcMetadata metadata, string url, string redirectUri, bool secure)
    {
        var state = Random(16);
        var nonce = Random(16);
        var verifier = Random(32);
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var expires = _time.GetUtcNow().Add(_ir.CsrfTokenTtl).ToUnixTimeSeconds();
        var login = string.Join('\n', expires.ToString(CultureInfo.InvariantCulture), state, nonce, verifier, redirectUri, url);
        var location = new StringBuilder(metadata.AuthorizationEndpoint).Append(metadata.AuthorizationEndpoint.Contains('?', StringComparison.Ordinal) ? '&' : '?')
            .Append(_authorizeQuery)
            .Append("&redirect_uri=").Append(Uri.EscapeDataString(redirectUri))
            .Append("&state=").Append(state)
            .Append("&nonce=").Append(nonce)
            .Append("&code_challenge=").Append(challenge)
            .Append("&code_challenge_method=S256");
        var reply = new LocalReply(302);
        reply.Headers.Add(new("Location", location.ToString()));
        reply.Headers.Add(new("Set-Cookie", _cookies.Set(_cookies.Login, _runtime.Seal.Seal(_cookies.Login, login), (long)_ir.CsrfTokenTtl.TotalSeconds, secure)));
        reply.Headers.Add(new("Cache-Control", "no-store"));
        _runtime.Count(OidcResult.Redirect);
        return reply;
    }

    private ValueTask<DecideOutcome> Callback(string? query, string? cookieHeader, bool secure)
    {
        var code = CredentialReader.Param(query, "code");
        var state = CredentialReader.Param(query, "state");
        var login = cookieHeader is null ? null : _runtime.Seal.Open(_cookies.Login, CredentialReader.Cookie(cookieHeader, _cookies.Login));
        var parts = login?.Split('\n');
        if (code is null || state is null || CredentialReader.Param(query, "error") is not null || parts is not { Length: 6 }
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || _time.GetUtcNow().ToUnixTimeSeconds() > expires
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(parts[1]), Encoding.ASCII.GetBytes(state)))
            return new(CallbackFailed(secure));
        return new(CallbackAsync(code, CredentialReader.Param(query, "iss"), nonce: parts[2], verifier: parts[3], redirectUri: parts[4], url: parts[5], secure));
    }

    private DecideOutcome CallbackFailed(bool secure)
    {
        _runtime.Count(OidcResult.CallbackError);
        var reply = AuthReplies.Unauthorized("OAuth flow failed.", null);
        reply.Headers.Add(new("Set-Cookie", _cookies.Clear(_cookies.Login, secure)));
        return DecideOutcome.Answer(reply);
    }

    private async Task<DecideOutcome> CallbackAsync(string code, string? iss, string nonce, string verifier, string redirectUri, string url, bool secure)
    {
        try
        {
            if (await _runtime.WaitAsync(DiscoveryWait).ConfigureAwait(false) is not { } metadata) return CallbackFailed(secure);
            if (iss is not null && iss != metadata.Issuer) return CallbackFailed(secure); // RFC 9207: the answer came from another issuer
            var (response, _) = await _runtime.TokenAsync(metadata,
            [
                new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri), new("code_verifier", verifier),
            ]).ConfigureAwait(false);
            if (response is not { } tokens || await SessionCookiesAsync(metadata, tokens, nonce, null, secure).ConfigureAwait(false) is not { } cookies)
                return CallbackFailed(secure);
            var reply = new LocalReply(302);
            reply.Headers.Add(new("Location", url));
            foreach (var c in cookies) reply.Headers.Add(new("Set-Cookie", c));
            reply.Headers.Add(new("Set-Cookie", _cookies.Clear(_cookies.Login, secure)));
            reply.Headers.Add(new("Cache-Control", "no-store"));
            _runtime.Count(OidcResult.CallbackOk);
            return DecideOutcome.Answer(reply);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException or SecurityTokenException
            or HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
            return CallbackFailed(secure);
        }
    }

    private async Task<DecideOutcome> RefreshAsync(string refreshToken, string url, bool secure)
    {
        try
        {
            if (await _runtime.WaitAsync(DiscoveryWait).ConfigureAwait(false) is { } metadata)
            {
                var (response, _) = await _runtime.TokenAsync(metadata, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]).ConfigureAwait(false);
                if (response is { } tokens && await SessionCookiesAsync(metadata, tokens, null, refreshToken, secure).ConfigureAwait(false) is { } cookies)
                {
                    // The new cookies must reach the client: it repeats the request with them (307 keeps the method and body).
                    var reply = new LocalReply(307);
                    reply.Headers.Add(new("Location", url));
                    foreach (var c in cookies) reply.Headers.Add(new("Set-Cookie", c));
                    reply.Headers.Add(new("Cache-Control", "no-store"));
                    _runtime.Count(OidcResult.Refresh);
                    return DecideOutcome.Answer(reply);
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException or SecurityTokenException
            or HttpRequestException or OperationCanceledException or ObjectDisposedException)
        {
        }
        _runtime.Count(OidcResult.RefreshError);
        // The refresh failed: the session is over; the client logs in again from the same URL.
        var again = new LocalReply(302);
        again.Headers.Add(new("Location", url));
        foreach (var c in _cookies.ClearAll(secure)) again.Headers.Add(new("Set-Cookie", c));
        again.Headers.Add(new("Cache-Control", "no-store"));
        return DecideOutcome.Answer(again);
    }

    /// <summary>
    /// The Set-Cookie values of a session from a token response, or null when the response is not acceptable (no
    /// access token, no expiry and no defaultTokenTTL, an ID token that does not validate). A refresh keeps the refresh
    /// token it used when the provider does not rotate it.
    /// </summary>
    private async Task<List<string>?> SessionCookiesAsync(OidcMetadata metadata, JsonElement tokens, string? nonce, string? previousRefresh, bool secure)
    {
        string? Text(string name) => tokens.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        var access = Text("access_token");
        var id = Text("id_token");
        var refresh = Text("refresh_token") ?? previousRefresh;
        if (access is null) return null;
        if (id is null && nonce is not null) return null; // an authentication response must carry an ID token (scope openid)
        if (id is not null)
        {
            var valid = await ValidIdTokenAsync(metadata, id, nonce).ConfigureAwait(false);
            // Signed with a key we do not have yet (the provider rotated its keys): fetch them and try once more.
            if (valid is null && await _runtime.RefetchAsync(DiscoveryWait).ConfigureAwait(false) is { } again)
                valid = await ValidIdTokenAsync(again, id, nonce).ConfigureAwait(false);
            if (valid != true) return null;
        }
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        long ttl;
        if (tokens.TryGetProperty("expires_in", out var e) && (e.ValueKind == JsonValueKind.Number ? e.TryGetInt64(out ttl)
            : e.ValueKind == JsonValueKind.String && long.TryParse(e.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out ttl)))
        {
        }
        else if (_ir.DefaultTokenTtl > TimeSpan.Zero) ttl = (long)_ir.DefaultTokenTtl.TotalSeconds;
        else return null;
        if (!_ir.RefreshToken) refresh = null;
        var maxAge = ttl;
        if (refresh is not null) maxAge = Math.Max(ttl, RefreshLifetime(refresh, now));
        var expires = (now + ttl).ToString(CultureInfo.InvariantCulture);
        var seal = _runtime.Seal;
        var sealedAccess = seal.Seal(_cookies.Access, access);
        var sealedId = id is null ? null : seal.Seal(_cookies.Id, id);
        var sealedRefresh = refresh is null ? null : seal.Seal(_cookies.Refresh, refresh);
        var mac = seal.Mac([expires, sealedAccess, sealedId, sealedRefresh]);
        List<string> cookies =
        [
            _cookies.Set(_cookies.Hmac, mac, maxAge, secure),
            _cookies.Set(_cookies.Expires, expires, maxAge, secure),
            _cookies.Set(_cookies.Access, sealedAccess, maxAge, secure),
            sealedId is null ? _cookies.Clear(_cookies.Id, secure) : _cookies.Set(_cookies.Id, sealedId, maxAge, secure),
            sealedRefresh is null ? _cookies.Clear(_cookies.Refresh, secure) : _cookies.Set(_cookies.Refresh, sealedRefresh, maxAge, secure),
        ];
        return cookies;
    }

    /// <summary>Seconds the refresh token lives: its <c>exp</c> when it is a JWT, else defaultRefreshTokenTTL.</summary>
    private long RefreshLifetime(string refresh, long now)
    {
        try
        {
            var jwt = new JsonWebToken(refresh);
            if (jwt.TryGetPayloadValue<long>("exp", out var exp) && exp > now) return exp - now;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
        }
        return (long)_ir.DefaultRefreshTokenTtl.TotalSeconds;
    }

    /// <summary>
    /// The ID token's signature (the provider's keys), issuer, audience (the client id), expiry and, on login, nonce:
    /// true, false, or null when its signature matched none of the keys (they may have been rotated).
    /// </summary>
    private async Task<bool?> ValidIdTokenAsync(OidcMetadata metadata, string idToken, string? nonce)
    {
        if (metadata.Keys is not { } keys) return null;
        var parameters = new TokenValidationParameters
        {
            ValidIssuer = metadata.Issuer,
            ValidAudience = _ir.ClientId,
            IssuerSigningKeys = keys.Keys,
            ValidAlgorithms = Algorithms,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(60),
            TryAllIssuerSigningKeys = true,
        };
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return result.Exception is SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException ? null : false;
        }
        if (nonce is null) return true;
        return result.Claims.TryGetValue("nonce", out var claimed) && claimed is string s
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s), Encoding.ASCII.GetBytes(nonce));
    }

    private DecideOutcome Logout(string? cookieHeader, bool secure)
    {
        var idToken = OidcSession.Read(cookieHeader, _cookies, _runtime.Seal, _runtime.Sessions)?.IdToken;
        var endSession = _runtime.Current?.EndSessionEndpoint ?? _ir.EndSessionEndpoint;
        string location;
        if (endSession is null) location = "/";
        else
        {
            var sb = new StringBuilder(endSession).Append(endSession.Contains('?', StringComparison.Ordinal) ? '&' : '?')
                .Append("client_id=").Append(Uri.EscapeDataString(_ir.ClientId));
            if (idToken is not null) sb.Append("&id_token_hint=").Append(Uri.EscapeDataString(idToken));
            location = sb.ToString();
        }
        var reply = new LocalReply(302);
        reply.Headers.Add(new("Location", location));
        foreach (var c in _cookies.ClearAll(secure)) reply.Headers.Add(new("Set-Cookie", c));
        reply.Headers.Add(new("Cache-Control", "no-store"));
        _runtime.Count(OidcResult.Logout);
        return DecideOutcome.Answer(reply);
    }

    private static string Random(int bytes) => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));

    /// <summary><paramref name="template"/> with <c>%REQ(x-forwarded-proto)%</c> and <c>%REQ(:authority)%</c> of the request.</summary>
    private static string RedirectUri(string template, string scheme, string host) =>
        template.Replace("%REQ(x-forwarded-proto)%", scheme, StringComparison.Ordinal).Replace("%REQ(:authority)%", host, StringComparison.Ordinal);

    /// <summary>The URL the request was for (the path escaped again where it must be), where the login returns to.</summary>
    private static string OriginalUrl(string scheme, string host, string path, string? query)
    {
        var sb = new StringBuilder(scheme).Append("://").Append(host);
        foreach (var c in path)
        {
            if (char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/%".Contains(c, StringComparison.Ordinal)) sb.Append(c);
            else foreach (var b in Encoding.UTF8.GetBytes(c.ToString())) sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return sb.Append(query).ToString();
    }

    public override string Describe() =>
        $"oidc {_runtime.Describe()} client={_ir.ClientId} secret={_ir.ClientSecret.Fingerprint} scopes=[{string.Join(",", _ir.Scopes)}]"
        + $" redirect={_ir.RedirectUrl} callback={_callbackPath} logout={_ir.LogoutPath} cookies={_cookies.Hmac},{_cookies.Access},{_cookies.Id},{_cookies.Refresh}"
        + $" key={(_ir.CookieKey is { } k ? "hmac-secret " + k.Fingerprint : "derived")}"
        + (_ir.ForwardAccessToken ? " forward-access-token" : "") + (_ir.ForwardIdTokenHeader is { } f ? " forward-id-token=" + f : "")
        + (_ir.RefreshToken ? " refresh" : "") + (_passThrough.Length > 0 ? " pass-through" : "")
        + (_deny.Length > 0 ? " deny-redirect=[" + string.Join(",", _deny.Select(d => $"{d.Name} {d.Type} {d.Value}")) + "]" : "");
}
