using System.Text.Json.Nodes;

namespace Causeway.Conformance.Harness.Corpus;

/// <summary>One entry of <c>cases</c>: a request case, a status checkpoint or an action.</summary>
public abstract record Step
{
    public int Index { get; init; }
    public string? Subtest { get; init; }
    public string? CaseName { get; init; }
    public GatewayRef? Gateway { get; init; }
    public string? Note { get; init; }

    public string Describe()
    {
        var what = this switch
        {
            RequestStep r => $"request {r.Case.Request.Describe()}",
            CheckpointStep => "status checkpoint",
            ActionStep a => $"action {a.DescribeAction()}",
            _ => "step",
        };
        var label = CaseName ?? Subtest;
        return label is null ? $"#{Index} {what}" : $"#{Index} {what} ({label})";
    }

    public static Step Parse(JsonObject o, int index)
    {
        Step step;
        if (o.ContainsKey("request")) step = new RequestStep { Case = CaseSpec.Parse(o) };
        else if (o.Obj("action") is { } action) step = new ActionStep { Action = action };
        else if (o.ContainsKey("expectStatus") || o.ContainsKey("readyNamespaces"))
            step = new CheckpointStep
            {
                Expectations = StatusExpectation.ParseList(o.Arr("expectStatus")),
                ReadyNamespaces = o.StrList("readyNamespaces"),
            };
        else step = new NoteStep();
        return step with
        {
            Index = index,
            Subtest = o.Str("subtest"),
            CaseName = o.Str("name"),
            Gateway = GatewayRef.Parse(o["gateway"]),
            Note = o.Str("note"),
        };
    }
}

public sealed record RequestStep : Step
{
    public required CaseSpec Case { get; init; }
}

public sealed record CheckpointStep : Step
{
    public IReadOnlyList<StatusExpectation> Expectations { get; init; } = [];
    public IReadOnlyList<string> ReadyNamespaces { get; init; } = [];
}

/// <summary>delete / patch / apply / wait / note.</summary>
public sealed record ActionStep : Step
{
    public required JsonObject Action { get; init; }

    public string DescribeAction() =>
        Action.Obj("delete") is { } d ? $"delete {d.Str("kind")} {d.Str("namespace")}/{d.Str("name")}"
        : Action.Obj("patch") is { } p ? $"patch {p.Str("kind")} {p.Str("namespace")}/{p.Str("name")}"
        : Action.Obj("apply") is { } a ? $"apply {a.Str("kind")} {a.Obj("metadata").Str("namespace")}/{a.Obj("metadata").Str("name")}"
        : Action.Str("wait") is { } w ? $"wait {w}"
        : "note";
}

/// <summary>An entry with nothing to do (only notes).</summary>
public sealed record NoteStep : Step;
