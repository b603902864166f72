using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Filters;

/// <summary>
/// URL rewrite of the request the backend gets: Gateway API <c>URLRewrite</c> (fixed hostname, ReplaceFullPath,
/// ReplacePrefixMatch) and Envoy Gateway HTTPRouteFilter <c>urlRewrite</c> (ReplaceRegexMatch path; Host from a
/// request header, the backend's hostname or a path regex). Compiled once per apply (regexes included) and called
/// by every transport when it writes the forwarded request: a head edit, so it runs on all of them.
/// </summary>
internal sealed class UrlRewriteStep : PipelineStep
{
    private readonly UrlRewriteIr _ir;
    private readonly RegexSubstitution? _pathRegex;
    private readonly RegexSubstitution? _hostRegex;
    private readonly string? _backendHostname;

    /// <param name="backendHostname">The target's backend hostname (for <c>hostname.type: Backend</c>), or null.</param>
    public UrlRewriteStep(UrlRewriteIr rewrite, string? backendHostname = null)
    {
        _ir = rewrite;
        _backendHostname = backendHostname;
        if (rewrite.Path is { Kind: PathModifierKind.ReplaceRegexMatch } p) _pathRegex = RouteRegex.Substitution(p.Value, p.Substitution ?? "");
        if (rewrite.HostnameFromPath is { } h) _hostRegex = RouteRegex.Substitution(h.Value, h.Substitution ?? "");
    }

    public UrlRewriteIr Ir => _ir;

    public override StepStage Stage => StepStage.RouteFilters;

    /// <summary>All: the byte transports write the rewritten request line and Host, YARP's transformer the same.</summary>
    public override TransportSet Transports => TransportSet.All;

    public bool RewritesPath => _ir.Path is not null;

    /// <summary>Whether the backend gets X-Forwarded-Host with the client's Host (false only when the Host changed and the filter said so).</summary>
    public bool ForwardsOriginalHost(bool hostChanged) => !hostChanged || _ir.AppendXForwardedHost != false;

    /// <summary>The path the backend gets (<paramref name="matchedPrefix"/>: the rule's Prefix match value, or null).</summary>
    public string RewritePath(string path, string? matchedPrefix)
    {
        if (_ir.Path is not { } modifier) return path;
        if (_pathRegex is null) return PathRewriter.Apply(modifier, matchedPrefix, path);
        var result = _pathRegex.Replace(path);
        return result.Length == 0 ? "/" : result;
    }

    /// <summary>The Host the backend gets, or null to keep the client's.</summary>
    public string? RewriteHost<TRequest>(in TRequest request, string path) where TRequest : struct, IRequestView
    {
        if (_ir.Hostname is { } fixedHost) return fixedHost;
        if (_ir.HostnameFromHeader is { } header)
            return request.TryGetHeader(header, out var values) && values.Count > 0 && IsHostValue(values[0]) ? values[0] : null;
        if (_ir.HostnameFromBackend == true) return _backendHostname;
        if (_hostRegex is not null && _hostRegex.IsMatch(path))
        {
            var host = _hostRegex.Replace(path);
            return IsHostValue(host) ? host : null;
        }
        return null;
    }

    /// <summary>What the byte transports can write as a Host line: non-empty printable ASCII without spaces.</summary>
    private static bool IsHostValue(string? value)
    {
        if (string.IsNullOrEmpty(value)) return false;
        foreach (var c in value)
            if (c is <= ' ' or > '~') return false;
        return true;
    }

    /// <summary>The rewrites in filter order merged into one: a later filter's path, and its host when it sets one, win.</summary>
    public static UrlRewriteIr? Merge(IEnumerable<UrlRewriteIr?> rewrites)
    {
        UrlRewriteIr? merged = null;
        foreach (var r in rewrites)
        {
            if (r is null) continue;
            if (merged is null) { merged = r; continue; }
            var setsHost = r.Hostname is not null || r.HostnameFromHeader is not null || r.HostnameFromBackend is not null || r.HostnameFromPath is not null;
            merged = new UrlRewriteIr
            {
                Path = r.Path ?? merged.Path,
                Hostname = setsHost ? r.Hostname : merged.Hostname,
                HostnameFromHeader = setsHost ? r.HostnameFromHeader : merged.HostnameFromHeader,
                HostnameFromBackend = setsHost ? r.HostnameFromBackend : merged.HostnameFromBackend,
                HostnameFromPath = setsHost ? r.HostnameFromPath : merged.HostnameFromPath,
                AppendXForwardedHost = r.AppendXForwardedHost ?? merged.AppendXForwardedHost,
            };
        }
        return merged;
    }

    public override string Describe()
    {
        var sb = new System.Text.StringBuilder("url-rewrite");
        if (_ir.Hostname is { } h) sb.Append(" host=").Append(h);
        if (_ir.HostnameFromHeader is { } hh) sb.Append(" host=header:").Append(hh);
        if (_ir.HostnameFromBackend == true) sb.Append(" host=backend").Append(_backendHostname is { } bh ? ":" + bh : "");
        if (_ir.HostnameFromPath is { } hp) sb.Append(" host=path-regex:").Append(hp.Value).Append(" -> ").Append(hp.Substitution);
        if (_ir.Path is { } p)
        {
            sb.Append(" path ").Append(p.Kind).Append('=').Append(p.Value);
            if (p.Substitution is { } sub) sb.Append(" -> ").Append(sub);
        }
        if (_ir.AppendXForwardedHost == false) sb.Append(" no-x-forwarded-host");
        return sb.ToString();
    }
}
