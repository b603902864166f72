using Causeway.Model.Objects;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation.Gateways;

/// <summary>A listener being translated: the Gateway's own, or one merged in from a ListenerSet.</summary>
internal sealed class ListenerContext
{
    public required Gateway Gateway { get; init; }
    public ListenerSet? ListenerSet { get; init; }
    public required Listener Spec { get; init; }

    public string Name => Spec.Name;

    /// <summary><c>ns/gateway/listener</c> or <c>ns/listenerset/listener</c> (ListenerIr.Name, failure keys).</summary>
    public string IrName => ListenerSet is null
        ? $"{Gateway.Namespace}/{Gateway.Name}/{Spec.Name}"
        : $"{ListenerSet.Namespace}/{ListenerSet.Name}/{Spec.Name}";

    /// <summary>Namespace that "Same" refers to for allowedRoutes (the Gateway's, or the ListenerSet's).</summary>
    public string OwnerNamespace => ListenerSet?.Namespace ?? Gateway.Namespace;

    public bool SupportedProtocol { get; set; } = true;
    public string? ConflictReason { get; set; }

    /// <summary>Why the listener is conflicted, naming the listeners it is not distinct from.</summary>
    public string ConflictMessage { get; set; } = "";
    public string? ResolvedRefsReason { get; set; }
    public string ResolvedRefsMessage { get; set; } = "";
    public string? BindFailure { get; set; }
    public List<RouteGroupKindStatus> SupportedKinds { get; } = [];
    public List<TlsCertificateIr> Certificates { get; } = [];
    public ClientValidationIr? ClientValidation { get; set; }
    public int AttachedRoutes { get; set; }

    /// <summary>Frontend client-certificate validation is configured but no CA certificate resolves: not accepted.</summary>
    public bool NoValidCaCertificate { get; set; }

    /// <summary>Routes attached here, with the hostnames they serve on this listener.</summary>
    public List<(Route Route, IReadOnlyList<string> Hostnames)> Routes { get; } = [];

    public bool Accepted => SupportedProtocol && ConflictReason is null && !NoValidCaCertificate;

    /// <summary>Routes may attach (the listener is accepted even if its references are broken).</summary>
    public bool Usable => Accepted;

    public bool Programmed => Accepted && ResolvedRefsReason is null && BindFailure is null;

    public bool IsTransportUdp => Spec.Protocol == "UDP";

    public ListenerStatus BuildStatus(long generation, DateTimeOffset now, IReadOnlyList<Model.Objects.Condition>? previous)
    {
        var c = new ConditionSet(generation, now, previous);
        if (!SupportedProtocol)
            c.Set(Reasons.Accepted, false, Reasons.UnsupportedProtocol, $"protocol {Spec.Protocol} is not supported");
        else if (ConflictReason is not null)
            c.Set(Reasons.Accepted, false, ConflictReason, ConflictMessage);
        else if (NoValidCaCertificate)
            c.Set(Reasons.Accepted, false, Reasons.NoValidCACertificate, ResolvedRefsMessage);
        else
            c.Set(Reasons.Accepted, true, Reasons.Accepted, "Listener is accepted");

        if (ResolvedRefsReason is not null)
            c.Set(Reasons.ResolvedRefs, false, ResolvedRefsReason, ResolvedRefsMessage);
        else
            c.Set(Reasons.ResolvedRefs, true, Reasons.ResolvedRefs, "All references are resolved");

        if (ConflictReason is not null)
            c.Set(Reasons.Conflicted, true, ConflictReason, ConflictMessage);
        else
            c.Set(Reasons.Conflicted, false, Reasons.NoConflicts, "No conflicts");

        if (!SupportedProtocol)
            c.Set(Reasons.Programmed, false, Reasons.Invalid, "listener is not accepted");
        else if (ConflictReason is not null)
            c.Set(Reasons.Programmed, false, ConflictReason, "listener is conflicted");
        else if (NoValidCaCertificate)
            c.Set(Reasons.Programmed, false, Reasons.Invalid, "listener is not accepted: " + ResolvedRefsMessage);
        else if (ResolvedRefsReason is not null)
            c.Set(Reasons.Programmed, false, Reasons.Invalid, "listener has unresolved references: " + ResolvedRefsMessage);
        else if (BindFailure is not null)
            c.Set(Reasons.Programmed, false, Reasons.Invalid, BindFailure);
        else
            c.Set(Reasons.Programmed, true, Reasons.Programmed, "Listener is programmed");

        return new ListenerStatus
        {
            Name = Spec.Name,
            SupportedKinds = new(SupportedKinds),
            AttachedRoutes = AttachedRoutes,
            Conditions = c.Build(),
        };
    }
}
