using System.Security.Cryptography;
using System.Text;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Upstream;

/// <summary>
/// Session persistence (cookie or header): a request carrying a known session token goes to the endpoint it names;
/// otherwise the normal choice is made and the answer carries a new token. Tokens are stable hashes of backend id
/// and endpoint, so they survive re-applies and are never guessable from the endpoint address.
/// </summary>
internal sealed class SessionAffinity
{
    private readonly bool _header;
    private readonly string _name;
    private readonly string _cookieSuffix;
    private readonly Dictionary<string, (int Target, string Prefix)> _byToken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _tokenByPrefix = new(StringComparer.Ordinal);

    public SessionAffinity(SessionPersistenceIr ir, PlanTarget[] targets)
    {
        _header = string.Equals(ir.Type, "Header", StringComparison.OrdinalIgnoreCase);
        _name = ir.SessionName;
        var suffix = new StringBuilder("; Path=/; HttpOnly");
        if (ir.PermanentCookie && ir.AbsoluteTimeout is { } timeout)
            suffix.Append("; Max-Age=").Append((long)timeout.TotalSeconds);
        _cookieSuffix = suffix.ToString();
        for (var t = 0; t < targets.Length; t++)
        {
            if (targets[t].Backend is not { } backend) continue;
            foreach (var prefix in backend.Prefixes)
            {
                var token = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(backend.Id + "|" + prefix)), 0, 12);
                _byToken.TryAdd(token, (t, prefix));
                _tokenByPrefix.TryAdd(t + "|" + prefix, token);
            }
        }
    }

    /// <summary>The pinned target and endpoint when the request carries a token this rule knows.</summary>
    public bool TryResolve(HttpRequest request, out int target, out string prefix)
    {
        var token = _header ? request.Headers[_name].ToString() : request.Cookies[_name];
        if (!string.IsNullOrEmpty(token) && _byToken.TryGetValue(token, out var pinned))
        {
            (target, prefix) = pinned;
            return true;
        }
        target = -1;
        prefix = "";
        return false;
    }

    /// <summary>Hands the client the token for the endpoint chosen for this request.</summary>
    public void Issue(HttpContext context, int target, string prefix)
    {
        if (!_tokenByPrefix.TryGetValue(target + "|" + prefix, out var token)) return;
        if (_header) context.Response.Headers[_name] = token;
        else context.Response.Headers.Append("Set-Cookie", _name + "=" + token + _cookieSuffix);
    }
}
