using System.Text;

namespace Causeway.DataPlane.Policies.Authentication;

/// <summary>
/// The gateway's own 401 and 403 answers, worded as Envoy's filters word them (basic_auth, api_key_auth, jwt_authn,
/// rbac): <c>text/plain</c> bodies, and <c>WWW-Authenticate</c> naming the realm <c>scheme://host/path</c> of the request.
/// </summary>
internal static class AuthReplies
{
    public static LocalReply Unauthorized(string body, string? wwwAuthenticate)
    {
        var reply = new LocalReply(401) { Body = Encoding.UTF8.GetBytes(body), ContentType = "text/plain" };
        if (wwwAuthenticate is not null) reply.Headers.Add(new("WWW-Authenticate", wwwAuthenticate));
        return reply;
    }

    public static LocalReply Forbidden() => new(403) { Body = Encoding.ASCII.GetBytes("RBAC: access denied"), ContentType = "text/plain" };

    /// <summary><c>http://host/path</c> (no query) of the request, as Envoy builds the realm; quotes removed.</summary>
    public static string Realm<TRequest>(in TRequest request, in RequestFacts facts) where TRequest : struct, IRequestView
    {
        var path = request.DecodedPath ?? "/";
        var realm = $"{facts.Scheme}://{request.Host}{path}";
        return CredentialReader.IsHeaderSafe(realm) ? realm.Replace("\"", "", StringComparison.Ordinal) : $"{facts.Scheme}://{request.Host}";
    }
}
