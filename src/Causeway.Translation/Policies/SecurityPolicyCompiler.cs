using System.Globalization;
using System.Text;
using System.Text.Json;
using Causeway.Model;
using Causeway.Model.Loading;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Routes;

namespace Causeway.Translation.Policies;

/// <summary>
/// Checks a SecurityPolicy and compiles it into IR, reading the Secrets and ConfigMaps it names. Every field is
/// honoured, rejected naming it (when ignoring it would let requests through that the policy means to stop:
/// CEL and geolocation principals, remote key sets through a backendRef), or warned about naming it.
/// Secret values become <see cref="SecretText"/> and never appear in messages.
/// </summary>
internal static class SecurityPolicyCompiler
{
    public static CompiledSecurityPolicy Compile(SecurityPolicy policy, ResourceSnapshot s, BackendResolver? backends = null)
    {
        var spec = policy.Spec;
        var errors = new List<string>();
        var warnings = new List<string>();
        foreach (var name in (spec.Unmodelled?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            errors.Add($"spec.{name}: not supported by Causeway yet");
        PolicyMerge.Check(spec.MergeType, spec.TargetRef, spec.TargetRefs, spec.TargetSelectors, errors);
        var jwt = JwtPolicyCompiler.Compile(policy, s, errors, warnings);
        var ir = new SecurityPolicyIr
        {
            Policy = $"{policy.Namespace}/{policy.Name}",
            Cors = Cors(spec.Cors, errors),
            BasicAuth = BasicAuth(policy, s, errors, warnings),
            ApiKeyAuth = ApiKeyAuth(policy, s, errors),
            Jwt = jwt,
            Oidc = OidcPolicyCompiler.Compile(policy, s, errors, warnings),
            Authorization = AuthorizationPolicyCompiler.Compile(spec.Authorization, jwt, errors),
            ExtAuth = ExtAuthPolicyCompiler.Compile(policy, s, backends, errors, warnings),
            Csrf = Csrf(spec.Csrf, errors),
        };
        return new CompiledSecurityPolicy { Ir = ir, Errors = errors, Warnings = warnings };
    }

    /// <summary>
    /// csrf: each additional origin as the <c>host[:port]</c> pattern Envoy's filter compares (the scheme is ignored, as
    /// the CRD says); the shadow fraction as a share.
    /// </summary>
    private static CsrfIr? Csrf(CsrfSpec? spec, List<string> errors)
    {
        if (spec is null) return null;
        Unmodelled(spec.Unmodelled, "spec.csrf", errors);
        var origins = new List<string>();
        for (var i = 0; i < (spec.AdditionalOrigins?.Count ?? 0); i++)
        {
            var o = spec.AdditionalOrigins![i].Trim();
            var scheme = o.IndexOf("://", StringComparison.Ordinal);
            var hostPort = (scheme >= 0 ? o[(scheme + 3)..] : o).ToLowerInvariant();
            if (hostPort.Length == 0 || hostPort.Contains('/') || (hostPort.Contains('*') && hostPort != "*" && !(hostPort.StartsWith("*.", StringComparison.Ordinal) && hostPort.LastIndexOf('*') == 0)))
                errors.Add($"spec.csrf.additionalOrigins[{i}]: \"{o}\" is not an origin (scheme://host[:port], host may start with \"*.\", or \"*\")");
            else origins.Add(hostPort);
        }
        var shadow = 0.0;
        if (spec.ShadowFraction is { } f)
        {
            var denominator = f.Denominator ?? 100;
            if (denominator < 1 || f.Numerator < 0 || f.Numerator > denominator)
                errors.Add($"spec.csrf.shadowFraction: {f.Numerator}/{denominator} is not a fraction between 0 and 1");
            else shadow = (double)f.Numerator / denominator;
        }
        return new CsrfIr { AdditionalOrigins = new EquatableArray<string>(origins), ShadowFraction = shadow };
    }

    internal static void Unmodelled(Dictionary<string, JsonElement>? fields, string path, List<string> into)
    {
        foreach (var name in (fields?.Keys ?? Enumerable.Empty<string>()).Order(StringComparer.Ordinal))
            into.Add($"{path}.{name}: not supported by Causeway yet");
    }

    private static CorsIr? Cors(SecurityCorsSpec? cors, List<string> errors)
    {
        if (cors is null) return null;
        Unmodelled(cors.Unmodelled, "spec.cors", errors);
        var maxAge = 5;
        if (cors.MaxAge is { } text)
        {
            if (Durations.Parse(text) is { } d) maxAge = (int)Math.Min(int.MaxValue, d.TotalSeconds);
            else errors.Add($"spec.cors.maxAge: \"{text}\" is not a duration");
        }
        return new CorsIr
        {
            AllowOrigins = new(cors.AllowOrigins),
            AllowMethods = new(cors.AllowMethods),
            AllowHeaders = new(cors.AllowHeaders),
            ExposeHeaders = new(cors.ExposeHeaders),
            AllowCredentials = cors.AllowCredentials == true,
            MaxAgeSeconds = maxAge,
        };
    }

    /// <summary>The Secret a policy names (same namespace, or one a ReferenceGrant opens), or null with an error naming the field.</summary>
    internal static Secret? ResolveSecret(SecurityPolicy policy, ResourceSnapshot s, SecretObjectReference r, string field, List<string> errors)
    {
        if ((r.Group ?? "") != "" || (r.Kind ?? "Secret") != "Secret")
        {
            errors.Add($"{field}: only core Secrets are supported, not {r.Group}/{r.Kind}");
            return null;
        }
        var ns = r.Namespace ?? policy.Namespace;
        if (!ReferenceGrants.Allows(s, KindRegistry.EnvoyGroup, "SecurityPolicy", policy.Namespace, "", "Secret", ns, r.Name))
        {
            errors.Add($"{field}: Secret {ns}/{r.Name} is in another namespace and no ReferenceGrant allows it");
            return null;
        }
        var secret = s.Get<Secret>("Secret", ns, r.Name);
        if (secret is null) errors.Add($"{field}: Secret {ns}/{r.Name} not found");
        return secret;
    }

    private static BasicAuthIr? BasicAuth(SecurityPolicy policy, ResourceSnapshot s, List<string> errors, List<string> warnings)
    {
        if (policy.Spec.BasicAuth is not { } basic) return null;
        Unmodelled(basic.Unmodelled, "spec.basicAuth", errors);
        if (basic.Users is not { } usersRef)
        {
            errors.Add("spec.basicAuth.users: required");
            return null;
        }
        if (ResolveSecret(policy, s, usersRef, "spec.basicAuth.users", errors) is not { } secret) return null;
        if (!secret.Data.TryGetValue(".htpasswd", out var bytes))
        {
            errors.Add($"spec.basicAuth.users: Secret {secret.Namespace}/{secret.Name} has no key \".htpasswd\"");
            return null;
        }
        var users = new List<HtpasswdUserIr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = Encoding.UTF8.GetString(bytes).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var where = $"spec.basicAuth.users: Secret {secret.Namespace}/{secret.Name} .htpasswd line {(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (colon <= 0)
            {
                errors.Add($"{where}: not user:hash");
                continue;
            }
            var user = line[..colon];
            var hash = line[(colon + 1)..];
            if (!hash.StartsWith("{SHA}", StringComparison.Ordinal) && !hash.StartsWith("$2y$", StringComparison.Ordinal)
                && !hash.StartsWith("$2a$", StringComparison.Ordinal) && !hash.StartsWith("$2b$", StringComparison.Ordinal))
            {
                warnings.Add($"{where} (user {user}): only {{SHA}} and bcrypt hashes are supported; this user cannot sign in");
                continue;
            }
            if (seen.Add(user)) users.Add(new HtpasswdUserIr(user, new SecretText(hash)));
        }
        if (users.Count == 0) errors.Add($"spec.basicAuth.users: Secret {secret.Namespace}/{secret.Name} holds no usable user");
        return new BasicAuthIr
        {
            Source = $"{secret.Namespace}/{secret.Name}",
            Users = new(users.OrderBy(u => u.User, StringComparer.Ordinal)),
            ForwardUsernameHeader = string.IsNullOrEmpty(basic.ForwardUsernameHeader) ? null : basic.ForwardUsernameHeader,
        };
    }

    private static ApiKeyAuthIr? ApiKeyAuth(SecurityPolicy policy, ResourceSnapshot s, List<string> errors)
    {
        if (policy.Spec.ApiKeyAuth is not { } api) return null;
        Unmodelled(api.Unmodelled, "spec.apiKeyAuth", errors);
        var clients = new List<ApiKeyClientIr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < api.CredentialRefs.Count; i++)
        {
            if (ResolveSecret(policy, s, api.CredentialRefs[i], $"spec.apiKeyAuth.credentialRefs[{i}]", errors) is not { } secret) continue;
            foreach (var (client, key) in secret.Data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                if (seen.Add(client)) clients.Add(new ApiKeyClientIr(client, new SecretText(Encoding.UTF8.GetString(key))));
        }
        if (api.CredentialRefs.Count == 0) errors.Add("spec.apiKeyAuth.credentialRefs: at least one Secret is required");
        var sources = new List<CredentialSourceIr>();
        foreach (var e in api.ExtractFrom)
        {
            sources.AddRange(e.Headers.Select(h => new CredentialSourceIr(CredentialSourceKind.Header, h)));
            sources.AddRange(e.Params.Select(p => new CredentialSourceIr(CredentialSourceKind.Param, p)));
            sources.AddRange(e.Cookies.Select(c => new CredentialSourceIr(CredentialSourceKind.Cookie, c)));
        }
        if (sources.Count == 0) errors.Add("spec.apiKeyAuth.extractFrom: at least one header, param or cookie is required");
        return new ApiKeyAuthIr
        {
            Clients = new(clients),
            Sources = new(sources),
            ForwardClientIdHeader = string.IsNullOrEmpty(api.ForwardClientIdHeader) ? null : api.ForwardClientIdHeader,
            Sanitize = api.Sanitize == true,
        };
    }
}
