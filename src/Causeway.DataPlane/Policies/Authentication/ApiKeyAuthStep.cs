using System.Security.Cryptography;
using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Authentication;

/// <summary>
/// SecurityPolicy <c>apiKeyAuth</c>: the key from the first source that carries one (headers, query parameters,
/// cookies, in the order written) must be one of the clients' keys; 401 otherwise, no backend request. A passed
/// request gets the client id in <c>forwardClientIDHeader</c>, and with <c>sanitize</c> loses the header or cookie
/// that carried the key. Keys are compared by SHA-256 digest, in constant time. Decide-only: every transport.
/// </summary>
internal sealed class ApiKeyAuthStep : DecideStep
{
    private static readonly HeaderText CookieHeader = new("Cookie");

    private readonly ApiKeyAuthIr _ir;
    private readonly (byte[] Digest, string Client)[] _keys;
    private readonly HeaderText? _forward;

    public ApiKeyAuthStep(ApiKeyAuthIr ir)
    {
        _ir = ir;
        _keys = [.. ir.Clients.Select(c => (SHA256.HashData(Encoding.UTF8.GetBytes(c.Key.Value)), c.ClientId))];
        _forward = ir.ForwardClientIdHeader is { } h ? new HeaderText(h) : null;
    }

    public override StepStage Stage => StepStage.Authentication;

    public override TransportSet Transports => TransportSet.All;

    public override bool UsesPolicyState => true;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        string? key = null;
        CredentialSourceIr? from = null;
        foreach (var source in _ir.Sources)
        {
            key = CredentialReader.Read(request, source);
            if (key is null) continue;
            from = source;
            break;
        }
        if (key is null)
        {
            reply = AuthReplies.Unauthorized("Client authentication failed. Missing API key.", null);
            return StepVerdict.Reply;
        }
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        string? client = null;
        foreach (var (d, c) in _keys)
            if (CryptographicOperations.FixedTimeEquals(d, digest) && client is null) client = c;
        if (client is null)
        {
            reply = AuthReplies.Unauthorized("Client authentication failed. Invalid API key.", null);
            return StepVerdict.Reply;
        }
        if (_forward is not null && CredentialReader.IsHeaderSafe(client)) facts.Policy?.SetRequestHeader(_forward, client);
        if (_ir.Sanitize && from is not null && facts.Policy is { } policy)
        {
            if (from.Kind == CredentialSourceKind.Header) policy.RemoveRequestHeader(new HeaderText(from.Name));
            else if (from.Kind == CredentialSourceKind.Cookie && request.TryGetHeader("Cookie", out var cookies))
            {
                var rest = CredentialReader.WithoutCookie(string.Join("; ", cookies.ToArray()), from.Name);
                if (rest is null) policy.RemoveRequestHeader(CookieHeader);
                else policy.SetRequestHeader(CookieHeader, rest);
            }
        }
        return StepVerdict.Continue;
    }

    public override string Describe() =>
        $"api-key-auth clients={_keys.Length} from=[{string.Join(",", _ir.Sources.Select(s => $"{s.Kind.ToString().ToLowerInvariant()}:{s.Name}"))}]"
        + (_ir.ForwardClientIdHeader is { } h ? $" forward-client-id={h}" : "") + (_ir.Sanitize ? " sanitize" : "");
}
