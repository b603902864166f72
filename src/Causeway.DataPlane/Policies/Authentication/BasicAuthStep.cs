using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Policies.Authentication;

/// <summary>
/// SecurityPolicy <c>basicAuth</c>: <c>Authorization: Basic</c> checked against the <c>.htpasswd</c> users; 401 with
/// <c>WWW-Authenticate: Basic realm="..."</c> when missing or wrong, no backend request. A passed request goes on with its
/// Authorization header (Envoy Gateway keeps it) and the user name in <c>forwardUsernameHeader</c> when set. Decide-only:
/// every transport, the event loop included.
/// </summary>
internal sealed class BasicAuthStep : DecideStep
{
    private readonly BasicAuthIr _ir;
    private readonly HtpasswdVerifier _users;
    private readonly HeaderText? _forward;

    public BasicAuthStep(BasicAuthIr ir)
    {
        _ir = ir;
        _users = new HtpasswdVerifier(ir.Users);
        _forward = ir.ForwardUsernameHeader is { } h ? new HeaderText(h) : null;
    }

    public override StepStage Stage => StepStage.Authentication;

    public override TransportSet Transports => TransportSet.All;

    public override bool UsesPolicyState => true;

    public override StepVerdict Decide<TRequest>(in TRequest request, in RequestFacts facts, out LocalReply? reply)
    {
        reply = null;
        if (request.DecodedPath is null) return StepVerdict.NeedsFullPipeline;
        var challenge = $"Basic realm=\"{AuthReplies.Realm(request, facts)}\"";
        if (!TryCredentials(request, out var user, out var password))
        {
            reply = AuthReplies.Unauthorized("User authentication failed. Missing username and password.", challenge);
            return StepVerdict.Reply;
        }
        if (!_users.Verify(user, password))
        {
            reply = AuthReplies.Unauthorized("User authentication failed. Invalid username/password combination.", challenge);
            return StepVerdict.Reply;
        }
        if (_forward is not null && CredentialReader.IsHeaderSafe(user)) facts.Policy?.SetRequestHeader(_forward, user);
        return StepVerdict.Continue;
    }

    private static bool TryCredentials<TRequest>(in TRequest request, out string user, out string password) where TRequest : struct, IRequestView
    {
        user = password = "";
        if (!request.TryGetHeader("Authorization", out var values) || values.Count != 1) return false;
        var value = values[0] ?? "";
        if (!value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return false;
        Span<byte> decoded = stackalloc byte[384];
        var encoded = value.AsSpan(6).Trim();
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var written)) return false;
        var text = Encoding.UTF8.GetString(decoded[..written]);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        user = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }

    public override string Describe() =>
        $"basic-auth users={_users.Count} from {_ir.Source}" + (_ir.ForwardUsernameHeader is { } h ? $" forward-username={h}" : "");
}
