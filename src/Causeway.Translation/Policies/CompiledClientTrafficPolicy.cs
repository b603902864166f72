using Causeway.Translation.Ir;

namespace Causeway.Translation.Policies;

/// <summary>
/// A ClientTrafficPolicy checked and turned into IR once per translation: what its listeners do per request
/// (<see cref="Listener"/>), what their port does per connection (<see cref="Connection"/>, null when it sets nothing
/// there), and what is wrong with it. <see cref="Errors"/> reject the policy whole; <see cref="Warnings"/> name fields
/// it sets that Causeway does not honour yet (the rest applies).
/// </summary>
internal sealed record CompiledClientTrafficPolicy
{
    public required ClientTrafficIr Listener { get; init; }
    public ClientConnectionIr? Connection { get; init; }

    /// <summary>The policy's <c>tls.clientValidation</c> (HTTPS listeners; it replaces the Gateway's frontend validation).</summary>
    public ClientValidationIr? ClientValidation { get; init; }

    /// <summary>
    /// The policy's clientValidation is invalid: the policy is reported invalid but keeps its targets, whose listeners
    /// refuse every client's handshake instead of serving without the validation it asked for.
    /// </summary>
    public bool RefusesClients { get; init; }

    /// <summary><c>http1.http10.useDefaultHost</c>: HTTP/1.0 requests without Host get the listener's default host.</summary>
    public bool UseDefaultHost { get; init; }

    public IReadOnlyList<string> Errors { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
