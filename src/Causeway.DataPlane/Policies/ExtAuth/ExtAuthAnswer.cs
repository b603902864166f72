using Causeway.DataPlane.Pipeline;

namespace Causeway.DataPlane.Policies.ExtAuth;

/// <summary>
/// A service's answer: allow (with edits of the request the backend gets), deny (with the reply the client gets), or
/// error (the policy's failure mode decides).
/// </summary>
internal sealed class ExtAuthAnswer
{
    public static readonly ExtAuthAnswer Failed = new(ExtAuthResult.Error, null, null);
    public static readonly ExtAuthAnswer Allowed = new(ExtAuthResult.Allow, null, null);

    public ExtAuthAnswer(ExtAuthResult result, LocalReply? reply, List<HeaderMutation>? edits)
    {
        Result = result;
        Reply = reply;
        Edits = edits;
    }

    public ExtAuthResult Result { get; }

    /// <summary>The denial as the client gets it.</summary>
    public LocalReply? Reply { get; }

    /// <summary>Headers to set, append or remove on the request the backend gets (allow only).</summary>
    public List<HeaderMutation>? Edits { get; }
}
