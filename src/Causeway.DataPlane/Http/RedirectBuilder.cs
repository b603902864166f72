using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Http;

/// <summary>Builds the Location of a RequestRedirect (scheme, hostname, port default rules, path).</summary>
internal static class RedirectBuilder
{
    public static string Location(RedirectIr redirect, HttpRequest request, string? matchedPrefix, int listenerPort)
    {
        var scheme = redirect.Scheme ?? request.Scheme;
        var host = redirect.Hostname ?? HostMap<object>.StripPort(request.Host.Value ?? "").ToString();
        int port;
        if (redirect.Port is { } p) port = p;
        else if (redirect.Scheme is not null) port = DefaultPort(scheme) ?? listenerPort;
        else port = listenerPort;

        var path = request.Path.HasValue ? request.Path.Value! : "/";
        if (redirect.Path is { } modifier) path = PathRewriter.Apply(modifier, matchedPrefix, path);

        var includePort = DefaultPort(scheme) != port;
        var pathString = new PathString(path).ToUriComponent();
        return includePort
            ? $"{scheme}://{host}:{port}{pathString}{request.QueryString.ToUriComponent()}"
            : $"{scheme}://{host}{pathString}{request.QueryString.ToUriComponent()}";
    }

    private static int? DefaultPort(string scheme) =>
        scheme.Equals("http", StringComparison.OrdinalIgnoreCase) ? 80
        : scheme.Equals("https", StringComparison.OrdinalIgnoreCase) ? 443
        : null;
}
