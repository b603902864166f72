using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Causeway.Model;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// SecurityPolicy <c>oidc</c> into <see cref="OidcIr"/>: the client id (inline or from <c>clientIDRef</c>'s
/// <c>client-id</c>), the client secret (<c>clientSecret</c>'s <c>client-secret</c>, and its optional
/// <c>hmac-secret</c>, the cookie key), URLs checked, durations parsed, cookie names generated from the policy's name.
/// </summary>
internal static class OidcPolicyCompiler
{
    public const string DefaultRedirectUrl = "%REQ(x-forwarded-proto)%://%REQ(:authority)%/oauth2/callback";

    public static OidcIr? Compile(SecurityPolicy policy, ResourceSnapshot s, List<string> errors, List<string> warnings)
    {
        if (policy.Spec.Oidc is not { } oidc) return null;
        const string at = "spec.oidc";
        SecurityPolicyCompiler.Unmodelled(oidc.Unmodelled, at, errors);
        var bad = errors.Count;
        var p = oidc.Provider;
        if (p is null) errors.Add($"{at}.provider: required");
        if (p?.Unmodelled is { Count: > 0 } extra)
            warnings.Add($"{at}.provider.{extra.Keys.Order(StringComparer.Ordinal).First()}: not supported yet; the provider is reached at its issuer's URLs directly");
        var issuer = p?.Issuer;
        if (p is not null && !HttpUrl(issuer)) errors.Add($"{at}.provider.issuer: \"{issuer}\" is not an http(s) URL without query or fragment");
        string? Endpoint(string? value, string field)
        {
            if (string.IsNullOrEmpty(value)) return null;
            if (!HttpUrl(value)) errors.Add($"{at}.provider.{field}: \"{value}\" is not an http(s) URL");
            return value;
        }
        var authorization = Endpoint(p?.AuthorizationEndpoint, "authorizationEndpoint");
        var token = Endpoint(p?.TokenEndpoint, "tokenEndpoint");
        var endSession = Endpoint(p?.EndSessionEndpoint, "endSessionEndpoint");

        string? clientId = null;
        if (!string.IsNullOrEmpty(oidc.ClientId) && oidc.ClientIdRef is not null) errors.Add($"{at}: only one of clientID or clientIDRef may be set");
        else if (!string.IsNullOrEmpty(oidc.ClientId)) clientId = oidc.ClientId;
        else if (oidc.ClientIdRef is { } idRef)
        {
            if (SecurityPolicyCompiler.ResolveSecret(policy, s, idRef, $"{at}.clientIDRef", errors) is { } idSecret)
            {
                if (idSecret.Data.TryGetValue("client-id", out var id) && id.Length > 0) clientId = Encoding.UTF8.GetString(id).Trim();
                else errors.Add($"{at}.clientIDRef: Secret {idSecret.Namespace}/{idSecret.Name} has no key \"client-id\"");
            }
        }
        else errors.Add($"{at}: one of clientID or clientIDRef is required");

        SecretText? clientSecret = null;
        SecretText? cookieKey = null;
        if (oidc.ClientSecret is not { } secretRef) errors.Add($"{at}.clientSecret: required");
        else if (SecurityPolicyCompiler.ResolveSecret(policy, s, secretRef, $"{at}.clientSecret", errors) is { } secret)
        {
            if (secret.Data.TryGetValue("client-secret", out var value) && value.Length > 0) clientSecret = new SecretText(Encoding.UTF8.GetString(value).Trim());
            else errors.Add($"{at}.clientSecret: Secret {secret.Namespace}/{secret.Name} has no key \"client-secret\"");
            if (secret.Data.TryGetValue("hmac-secret", out var hmac))
            {
                if (hmac.Length >= 16) cookieKey = new SecretText(Convert.ToBase64String(hmac));
                else errors.Add($"{at}.clientSecret: Secret {secret.Namespace}/{secret.Name} key \"hmac-secret\" must hold at least 16 bytes");
            }
        }

        var scopes = new List<string> { "openid" };
        foreach (var scope in oidc.Scopes)
        {
            if (string.IsNullOrWhiteSpace(scope) || scope.Any(c => c <= ' ' || c == '"' || c == '\\')) errors.Add($"{at}.scopes: \"{scope}\" is not a scope token");
            else if (!scopes.Contains(scope, StringComparer.Ordinal)) scopes.Add(scope);
        }
        foreach (var resource in oidc.Resources)
            if (!Uri.TryCreate(resource, UriKind.Absolute, out _)) errors.Add($"{at}.resources: \"{resource}\" is not an absolute URI");

        var redirect = string.IsNullOrEmpty(oidc.RedirectUrl) ? DefaultRedirectUrl : oidc.RedirectUrl;
        if (!HttpUrl(redirect.Replace("%REQ(x-forwarded-proto)%", "http", StringComparison.Ordinal).Replace("%REQ(:authority)%", "host", StringComparison.Ordinal)))
            errors.Add($"{at}.redirectURL: \"{redirect}\" is not an http(s) URL");
        var logout = string.IsNullOrEmpty(oidc.LogoutPath) ? "/logout" : oidc.LogoutPath;
        if (!logout.StartsWith('/') || logout.Contains('?', StringComparison.Ordinal)) errors.Add($"{at}.logoutPath: \"{logout}\" must be a path starting with /");

        TimeSpan Ttl(string? text, string field, TimeSpan fallback, bool zeroOk)
        {
            if (text is null) return fallback;
            if (Durations.Parse(text) is { } d && (d > TimeSpan.Zero || (zeroOk && d == TimeSpan.Zero))) return d;
            errors.Add($"{at}.{field}: \"{text}\" is not a {(zeroOk ? "" : "positive ")}duration");
            return fallback;
        }
        var defaultTtl = Ttl(oidc.DefaultTokenTTL, "defaultTokenTTL", TimeSpan.Zero, true);
        var refreshTtl = Ttl(oidc.DefaultRefreshTokenTTL, "defaultRefreshTokenTTL", TimeSpan.FromDays(7), false);
        var csrfTtl = Ttl(oidc.CsrfTokenTtl, "csrfTokenTTL", TimeSpan.FromMinutes(10), false);

        var forwardId = oidc.ForwardIdToken?.Header;
        if (oidc.ForwardIdToken is not null && (string.IsNullOrEmpty(forwardId) || !forwardId.All(IsTokenChar) || forwardId.Equals("host", StringComparison.OrdinalIgnoreCase)))
            errors.Add($"{at}.forwardIDToken.header: \"{forwardId}\" is not a header name that may be set");
        if (oidc.ForwardAccessToken == true && "authorization".Equals(forwardId, StringComparison.OrdinalIgnoreCase))
            errors.Add($"{at}: forwardAccessToken cannot be true when forwardIDToken.header is Authorization");

        // EG names the cookies with a generated suffix; ours comes from the policy's name so every process agrees.
        var suffix = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{policy.Namespace}/{policy.Name}")))[..8];
        string CookieName(string? configured, string fallback, string field)
        {
            if (string.IsNullOrEmpty(configured)) return fallback;
            if (!configured.All(IsTokenChar)) errors.Add($"{at}.cookieNames.{field}: \"{configured}\" is not a cookie name");
            return configured;
        }
        var accessCookie = CookieName(oidc.CookieNames?.AccessToken, "AccessToken-" + suffix, "accessToken");
        var idCookie = CookieName(oidc.CookieNames?.IdToken, "IdToken-" + suffix, "idToken");
        if (accessCookie == idCookie) errors.Add($"{at}.cookieNames: accessToken and idToken must differ");

        var sameSite = oidc.CookieConfig?.SameSite;
        if (sameSite is not null and not ("Lax" or "Strict" or "None")) errors.Add($"{at}.cookieConfig.sameSite: \"{sameSite}\" is not Lax, Strict or None");

        if (oidc.PassThroughAuthHeader == true && policy.Spec.Jwt is null)
            warnings.Add($"{at}.passThroughAuthHeader: has no effect without spec.jwt (the JWT providers say which header carries the token)");
        if (oidc.DisableTokenEncryption == true)
            warnings.Add($"{at}.disableTokenEncryption: ignored; session cookies are always encrypted");

        var deny = new List<OidcHeaderMatchIr>();
        if (oidc.DenyRedirect is { } d1)
        {
            if (d1.Headers.Count == 0) errors.Add($"{at}.denyRedirect.headers: at least one header is required");
            for (var i = 0; i < d1.Headers.Count; i++)
            {
                var h = d1.Headers[i];
                var type = h.Type ?? "Exact";
                var field = $"{at}.denyRedirect.headers[{i}]";
                if (string.IsNullOrEmpty(h.Name) || !h.Name.All(IsTokenChar)) errors.Add($"{field}.name: \"{h.Name}\" is not a header name");
                if (type is not ("Exact" or "Prefix" or "Suffix" or "RegularExpression")) errors.Add($"{field}.type: \"{type}\" is not Exact, Prefix, Suffix or RegularExpression");
                if (type == "RegularExpression")
                {
                    try
                    {
                        _ = new Regex(h.Value, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                    }
                    catch (ArgumentException e)
                    {
                        errors.Add($"{field}.value: \"{h.Value}\" is not a regular expression: {e.Message}");
                    }
                }
                deny.Add(new OidcHeaderMatchIr(h.Name, type, h.Value));
            }
        }

        if (errors.Count > bad || clientId is null || clientSecret is null || issuer is null) return null;
        return new OidcIr
        {
            Policy = $"{policy.Namespace}/{policy.Name}",
            Issuer = issuer.TrimEnd('/'),
            AuthorizationEndpoint = authorization,
            TokenEndpoint = token,
            EndSessionEndpoint = endSession,
            ClientId = clientId,
            ClientSecret = clientSecret,
            CookieKey = cookieKey,
            Scopes = new(scopes),
            Resources = new(oidc.Resources),
            RedirectUrl = redirect,
            LogoutPath = logout,
            ForwardAccessToken = oidc.ForwardAccessToken == true,
            ForwardIdTokenHeader = string.IsNullOrEmpty(forwardId) ? null : forwardId,
            DefaultTokenTtl = defaultTtl,
            RefreshToken = oidc.RefreshToken != false,
            DefaultRefreshTokenTtl = refreshTtl,
            CsrfTokenTtl = csrfTtl,
            CookieSuffix = suffix,
            AccessTokenCookie = accessCookie,
            IdTokenCookie = idCookie,
            CookieDomain = string.IsNullOrEmpty(oidc.CookieDomain) ? null : oidc.CookieDomain,
            SameSite = sameSite,
            PassThroughAuthHeader = oidc.PassThroughAuthHeader == true && policy.Spec.Jwt is not null,
            DenyRedirect = new(deny),
        };
    }

    private static bool HttpUrl(string? text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var u) && (u.Scheme == "https" || u.Scheme == "http") && u.Query.Length == 0 && u.Fragment.Length == 0 && u.Host.Length > 0;

    private static bool IsTokenChar(char c) => c is > ' ' and < (char)127 && "()<>@,;:\\\"/[]?={}".IndexOf(c, StringComparison.Ordinal) < 0;
}
