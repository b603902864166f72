using System.Text.RegularExpressions;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Causeway.DataPlane.Http;

/// <summary>
/// The HTTPRoute CORS filter. Allowed origins are echoed (always valid, also with credentials); <c>*</c> in methods
/// or headers echoes what the preflight asked for.
/// </summary>
internal sealed class CorsPolicy
{
    private readonly bool _anyOrigin;
    private readonly HashSet<string> _exactOrigins = new(StringComparer.OrdinalIgnoreCase);
    private readonly Regex[] _originPatterns;
    private readonly bool _credentials;
    private readonly bool _anyMethod;
    private readonly string? _methods;
    private readonly bool _anyHeader;
    private readonly string? _headers;
    private readonly string? _expose;
    private readonly string _maxAge;

    public CorsPolicy(CorsIr ir)
    {
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
        _expose = ir.ExposeHeaders.Count == 0 ? null
            : anyExpose ? (_credentials ? string.Join(", ", ir.ExposeHeaders.Where(h => h != "*")) : "*")
            : string.Join(", ", ir.ExposeHeaders);
        if (_expose?.Length == 0) _expose = null;
        _maxAge = ir.MaxAgeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method)
        && request.Headers.ContainsKey(HeaderNames.Origin)
        && request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod);

    public bool IsOriginAllowed(string origin)
    {
        if (_anyOrigin) return true;
        if (_exactOrigins.Contains(origin)) return true;
        foreach (var p in _originPatterns)
            if (p.IsMatch(origin)) return true;
        return false;
    }

    /// <summary>Answers a preflight without forwarding it: 200 with the allow-* headers when the origin is allowed.</summary>
    public void WritePreflight(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        var origin = request.Headers.Origin.ToString();
        if (!IsOriginAllowed(origin)) return;
        var h = response.Headers;
        h.AccessControlAllowOrigin = origin;
        h.Vary = "Origin";
        if (_credentials) h.AccessControlAllowCredentials = "true";
        if (_anyMethod) h.AccessControlAllowMethods = request.Headers.AccessControlRequestMethod;
        else if (_methods is not null) h.AccessControlAllowMethods = _methods;
        if (_anyHeader)
        {
            var requested = request.Headers.AccessControlRequestHeaders;
            if (requested.Count > 0) h.AccessControlAllowHeaders = requested;
        }
        else if (_headers is not null) h.AccessControlAllowHeaders = _headers;
        if (_expose is not null) h.AccessControlExposeHeaders = _expose;
        h.AccessControlMaxAge = _maxAge;
        response.ContentLength = 0;
    }

    /// <summary>Adds the CORS response headers for an actual (non-preflight) request from an allowed origin.</summary>
    public void ApplyToResponse(HttpContext context)
    {
        var origin = context.Request.Headers.Origin;
        if (origin.Count == 0) return;
        var o = origin.ToString();
        if (!IsOriginAllowed(o)) return;
        var h = context.Response.Headers;
        h.AccessControlAllowOrigin = o;
        h.Append(HeaderNames.Vary, "Origin");
        if (_credentials) h.AccessControlAllowCredentials = "true";
        if (_expose is not null) h.AccessControlExposeHeaders = _expose;
    }
}
