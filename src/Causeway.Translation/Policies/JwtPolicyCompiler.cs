using System.Text.Json;
using Causeway.Model;
using Causeway.Model.Objects;
using Causeway.Model.Objects.EnvoyGateway;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>SecurityPolicy <c>jwt</c> into <see cref="JwtIr"/>: providers with their key sets, token sources and claim headers.</summary>
internal static class JwtPolicyCompiler
{
    private static readonly TimeSpan DefaultCache = TimeSpan.FromSeconds(300);

    public static JwtIr? Compile(SecurityPolicy policy, ResourceSnapshot s, List<string> errors, List<string> warnings)
    {
        if (policy.Spec.Jwt is not { } jwt) return null;
        SecurityPolicyCompiler.Unmodelled(jwt.Unmodelled, "spec.jwt", errors);
        if (jwt.FailOpen == true) warnings.Add("spec.jwt.failOpen: not supported yet; invalid tokens are refused");
        if (jwt.Providers.Count == 0) errors.Add("spec.jwt.providers: at least one provider is required");
        var providers = new List<JwtProviderIr>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < jwt.Providers.Count; i++)
        {
            var p = jwt.Providers[i];
            var field = $"spec.jwt.providers[{i}]";
            SecurityPolicyCompiler.Unmodelled(p.Unmodelled, field, errors);
            if (!names.Add(p.Name)) errors.Add($"{field}.name: provider \"{p.Name}\" is defined twice");
            string? local = null;
            string? uri = null;
            var cache = DefaultCache;
            var retry = TimeSpan.FromSeconds(1);
            if (p.LocalJwks is not null && p.RemoteJwks is not null) errors.Add($"{field}: remoteJWKS and localJWKS cannot both be specified");
            if (p.LocalJwks is { } l) local = LocalJwks(policy, s, l, $"{field}.localJWKS", errors);
            else if (p.RemoteJwks is { } r)
            {
                if (r.Unmodelled is { Count: > 0 } extra)
                    errors.Add($"{field}.remoteJWKS.{extra.Keys.Order(StringComparer.Ordinal).First()}: fetching keys through a backend is not supported yet; use uri");
                if (!Uri.TryCreate(r.Uri, UriKind.Absolute, out var u) || (u.Scheme != "https" && u.Scheme != "http"))
                    errors.Add($"{field}.remoteJWKS.uri: \"{r.Uri}\" is not an http(s) URI");
                else uri = u.AbsoluteUri;
                if (r.CacheDuration is { } c)
                {
                    if (Durations.Parse(c) is { } d && d > TimeSpan.Zero) cache = d;
                    else errors.Add($"{field}.remoteJWKS.cacheDuration: \"{c}\" is not a positive duration");
                }
                if (r.FailedRefetchDuration is { } f)
                {
                    if (Durations.Parse(f) is { } d && d > TimeSpan.Zero) retry = d;
                    else errors.Add($"{field}.remoteJWKS.failedRefetchDuration: \"{f}\" is not a positive duration");
                }
            }
            else errors.Add($"{field}: either remoteJWKS or localJWKS must be specified");
            var sources = new List<CredentialSourceIr>();
            if (p.ExtractFrom is { } from)
            {
                sources.AddRange(from.Headers.Select(h => new CredentialSourceIr(CredentialSourceKind.Header, h.Name, h.ValuePrefix)));
                sources.AddRange(from.Cookies.Select(c => new CredentialSourceIr(CredentialSourceKind.Cookie, c)));
                sources.AddRange(from.Params.Select(q => new CredentialSourceIr(CredentialSourceKind.Param, q)));
            }
            if (sources.Count == 0)
            {
                sources.Add(new CredentialSourceIr(CredentialSourceKind.Header, "Authorization", "Bearer "));
                sources.Add(new CredentialSourceIr(CredentialSourceKind.Param, "access_token"));
            }
            providers.Add(new JwtProviderIr
            {
                Name = p.Name,
                RecomputeRoute = p.RecomputeRoute == true,
                Issuer = string.IsNullOrEmpty(p.Issuer) ? null : p.Issuer,
                Audiences = new(p.Audiences),
                LocalJwks = local,
                RemoteJwksUri = uri,
                CacheDuration = cache,
                RetryInterval = retry,
                Sources = new(sources),
                ClaimToHeaders = new(p.ClaimToHeaders.Select(c => new ClaimToHeaderIr(c.Claim, c.Header))),
            });
        }
        return new JwtIr { Providers = new(providers), Optional = jwt.Optional == true };
    }

    private static string? LocalJwks(SecurityPolicy policy, ResourceSnapshot s, LocalJwksSpec l, string field, List<string> errors)
    {
        string? text;
        if ((l.Type ?? "Inline") == "Inline")
        {
            text = l.Inline;
            if (string.IsNullOrEmpty(text))
            {
                errors.Add($"{field}.inline: required when type is Inline");
                return null;
            }
        }
        else
        {
            if (l.ValueRef is not { } r || r.Kind != "ConfigMap" || !string.IsNullOrEmpty(r.Group))
            {
                errors.Add($"{field}.valueRef: a ConfigMap reference is required when type is ValueRef");
                return null;
            }
            if (s.Get<ConfigMap>("ConfigMap", policy.Namespace, r.Name) is not { } cm)
            {
                errors.Add($"{field}.valueRef: ConfigMap {policy.Namespace}/{r.Name} not found");
                return null;
            }
            text = cm.Data.TryGetValue("jwks", out var v) ? v : cm.Data.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Value).FirstOrDefault();
            if (text is null)
            {
                errors.Add($"{field}.valueRef: ConfigMap {policy.Namespace}/{r.Name} is empty");
                return null;
            }
        }
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (!doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"{field}: not a JSON Web Key Set (no \"keys\" array)");
                return null;
            }
        }
        catch (JsonException e)
        {
            errors.Add($"{field}: not JSON: {e.Message}");
            return null;
        }
        return text;
    }
}
