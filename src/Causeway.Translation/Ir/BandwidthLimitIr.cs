namespace Causeway.Translation.Ir;

/// <summary>
/// A BackendTrafficPolicy's <c>bandwidthLimit</c>: at most <c>Bytes</c> per <c>UnitSeconds</c> of body towards the
/// backend (request) and from it (response), per rule, shared by the rule's exchanges in flight. Null: that direction is unlimited.
/// </summary>
public sealed record BandwidthLimitIr
{
    public BandwidthRateIr? Request { get; init; }

    public BandwidthRateIr? Response { get; init; }
}

/// <summary><see cref="Bytes"/> per <see cref="UnitSeconds"/> (1, 60 or 3600).</summary>
public sealed record BandwidthRateIr
{
    public required long Bytes { get; init; }

    public required int UnitSeconds { get; init; }
}
