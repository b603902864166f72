using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Filters;

/// <summary>Builds the Location of a RequestRedirect (scheme, hostname, port default rules, path).</summary>
internal static class RedirectBuilder
{
    public static string Location(RedirectIr redirect, HttpRequest request, string? matchedPrefix, int listenerPort) =>
        Location(redirect, request.Scheme, request.Host.Value ?? "", request.Path.HasValue ? request.Path.Value! : "/",
            request.QueryString.Value, matchedPrefix, listenerPort);

    /// <param name="path">The request path, percent-decoded as Kestrel presents it.</param>
    /// <param name="query">The raw query with its '?', or null.</param>
    public static string Location(RedirectIr redirect, string requestScheme, string requestHost, string path, string? query,
        string? matchedPrefix, int listenerPort)
    {
        var scheme = redirect.Scheme ?? requestScheme;
        var host = redirect.Hostname ?? HostMap<object>.StripPort(requestHost).ToString();
        int port;
        if (redirect.Port is { } p) port = p;
        else if (redirect.Scheme is not null) port = DefaultPort(scheme) ?? listenerPort;
        else port = listenerPort;

        if (redirect.Path is { } modifier) path = PathRewriter.Apply(modifier, matchedPrefix, path);

        var includePort = DefaultPort(scheme) != port;
        var pathString = new PathString(path).ToUriComponent();
        var queryString = QueryString.FromUriComponent(query ?? "").ToUriComponent();
        return includePort
            ? $"{scheme}://{host}:{port}{pathString}{queryString}"
            : $"{scheme}://{host}{pathString}{queryString}";
    }

    private static int? DefaultPort(string scheme) =>
        scheme.Equals("http", StringComparison.OrdinalIgnoreCase) ? 80
        : scheme.Equals("https", StringComparison.OrdinalIgnoreCase) ? 443
        : null;
}
