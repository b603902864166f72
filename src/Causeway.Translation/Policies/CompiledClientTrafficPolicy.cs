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

    public IReadOnlyList<string> Errors { get; init; } = [];
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
