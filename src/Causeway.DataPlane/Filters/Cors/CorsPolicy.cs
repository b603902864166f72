using System.Text.RegularExpressions;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Primitives;

namespace Causeway.DataPlane.Filters.Cors;

/// <summary>
/// The HTTPRoute CORS filter, compiled once: allowed origins are echoed (always valid, also with credentials); <c>*</c>
/// in methods or headers echoes what the preflight asked for. <see cref="CorsPreflightStep"/> answers preflights and
/// <see cref="CorsResponseStep"/> adds the headers to actual responses, on every transport.
/// </summary>
internal sealed class CorsPolicy
{
    private static readonly HeaderText AllowOrigin = new("Access-Control-Allow-Origin");
    private static readonly HeaderText Vary = new("Vary");
    private static readonly HeaderText OriginText = new("Origin");
    private static readonly HeaderText AllowCredentials = new("Access-Control-Allow-Credentials");
    private static readonly HeaderText True = new("true");
    private static readonly HeaderText ExposeHeaders = new("Access-Control-Expose-Headers");

    private readonly bool _anyOrigin;
    private readonly HashSet<string> _exactOrigins = new(StringComparer.OrdinalIgnoreCase);
    private readonly Regex[] _originPatterns;
    private readonly bool _credentials;
    private readonly bool _anyMethod;
    private readonly string? _methods;
    private readonly bool _anyHeader;
    private readonly string? _headers;
    private readonly HeaderText? _expose;
    private readonly string _maxAge;

    public CorsPolicy(CorsIr ir)
    {
        Ir = ir;
        var patterns = new List<Regex>();
        foreach (var o in ir.AllowOrigins)
        {
            if (o == "*") _anyOrigin = true;
            else if (o.Contains('*'))
                patterns.Add(RouteRegex.Wildcard(o));
            else _exactOrigins.Add(o.TrimEnd('/'));
        }
        _originPatterns = [.. patterns];
        _credentials = ir.AllowCredentials;
        _anyMethod = ir.AllowMethods.Contains("*");
        _methods = ir.AllowMethods.Count == 0 || _anyMethod ? null : string.Join(", ", ir.AllowMethods);
        _anyHeader = ir.AllowHeaders.Contains("*");
        _headers = ir.AllowHeaders.Count == 0 || _anyHeader ? null : string.Join(", ", ir.AllowHeaders);
        var anyExpose = ir.ExposeHeaders.Contains("*");
        var expose = ir.ExposeHeaders.Count == 0 ? null
            : anyExpose ? (_credentials ? string.Join(", ", ir.ExposeHeaders.Where(h => h != "*")) : "*")
            : string.Join(", ", ir.ExposeHeaders);
        _expose = string.IsNullOrEmpty(expose) ? null : new HeaderText(expose);
        _maxAge = ir.MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public CorsIr Ir { get; }

    public static bool IsPreflight<TRequest>(in TRequest request) where TRequest : struct, IRequestView =>
        request.MethodIs("OPTIONS")
        && request.TryGetHeader("Origin", out _)
        && request.TryGetHeader("Access-Control-Request-Method", out _);

    public bool IsOriginAllowed(string origin)
    {
        if (_anyOrigin) return true;
        if (_exactOrigins.Contains(origin)) return true;
        foreach (var p in _originPatterns)
            if (p.IsMatch(origin)) return true;
        return false;
    }

    /// <summary>The answer to a preflight: 200, with the allow-* headers when the origin is allowed.</summary>
    public LocalReply Preflight<TRequest>(in TRequest request) where TRequest : struct, IRequestView
    {
        var reply = new LocalReply(200) { Final = true };
        request.TryGetHeader("Origin", out var originValues);
        var origin = originValues.ToString();
        if (!IsOriginAllowed(origin)) return reply;
        var h = reply.Headers;
        h.Add(new("Access-Control-Allow-Origin", origin));
        h.Add(new("Vary", "Origin"));
        if (_credentials) h.Add(new("Access-Control-Allow-Credentials", "true"));
        if (_anyMethod)
        {
            request.TryGetHeader("Access-Control-Request-Method", out var m);
            h.Add(new("Access-Control-Allow-Methods", m.ToString()));
        }
        else if (_methods is not null) h.Add(new("Access-Control-Allow-Methods", _methods));
        if (_anyHeader)
        {
            if (request.TryGetHeader("Access-Control-Request-Headers", out var requested) && !StringValues.IsNullOrEmpty(requested))
                h.Add(new("Access-Control-Allow-Headers", requested.ToString()));
        }
        else if (_headers is not null) h.Add(new("Access-Control-Allow-Headers", _headers));
        if (_expose is not null) h.Add(new("Access-Control-Expose-Headers", _expose.Text));
        h.Add(new("Access-Control-Max-Age", _maxAge));
        return reply;
    }

    /// <summary>Adds the CORS response headers for an actual (non-preflight) request from an allowed origin.</summary>
    public void ApplyToResponse<TRequest, TEditor>(in TRequest request, ref TEditor response)
        where TRequest : struct, IRequestView
        where TEditor : struct, IHeaderEditor
    {
        if (!request.TryGetHeader("Origin", out var origin) || origin.Count == 0) return;
        var o = origin.ToString();
        if (!IsOriginAllowed(o)) return;
        response.RemoveAll(AllowOrigin, keep: false);
        response.Add(AllowOrigin, new HeaderText(o), afterKept: false);
        response.Add(Vary, OriginText, afterKept: false);
        if (_credentials)
        {
            response.RemoveAll(AllowCredentials, keep: false);
            response.Add(AllowCredentials, True, afterKept: false);
        }
        if (_expose is not null)
        {
            response.RemoveAll(ExposeHeaders, keep: false);
            response.Add(ExposeHeaders, _expose, afterKept: false);
        }
    }
}
