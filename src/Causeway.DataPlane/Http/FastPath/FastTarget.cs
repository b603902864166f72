using System.Text;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Http.FastPath;

/// <summary>One header edit step as bytes: Op 0 set, 1 add, 2 remove (the semantics of <see cref="HeaderEdits"/>).</summary>
internal readonly record struct EditStep(int Op, byte[] Name, byte[] Value);

/// <summary>
/// A rule target the HTTP/1.1 fast path may relay: a plain-text HTTP/1.1 backend and, at most, request and response
/// header edits (the rule's, then the target's, as the full pipeline applies them). Built at apply time.
/// </summary>
internal sealed class FastTarget
{
    private FastTarget(BackendRuntime backend, EditStep[] request, EditStep[] response)
    {
        Backend = backend;
        RequestEdits = request;
        ResponseEdits = response;
    }

    public BackendRuntime Backend { get; }
    public EditStep[] RequestEdits { get; }
    public EditStep[] ResponseEdits { get; }

    /// <summary>
    /// Eligibility: no redirect or direct response, no CORS, mirrors, retries, timeouts, session persistence or URL
    /// rewrite; header edits only on names the relay does not manage, with plain ASCII values.
    /// </summary>
    /// <remarks>
    /// All of a rule's targets must be eligible: handing off after the weighted pick would let the full pipeline pick
    /// again and skew the weights.
    /// </remarks>
    public static FastTarget[]? Compile(CompiledRule rule)
    {
        if (rule.Redirect is not null || rule.Ir.DirectResponseStatus is not null || rule.Cors is not null
            || rule.Mirrors.Length > 0 || rule.Ir.Retry is not null || rule.RequestTimeout is not null
            || rule.BackendRequestTimeout is not null || rule.Session is not null || rule.Rewrite is not null
            || rule.Targets.Length == 0)
            return null;
        if (!TryCompile(rule.RequestEdits, out var ruleRequest) || !TryCompile(rule.ResponseEdits, out var ruleResponse)) return null;
        var result = new FastTarget[rule.Targets.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var t = rule.Targets[i];
            if (t.Redirect is not null || t.Rewrite is not null || t.Backend is not { FastEndpoints: not null } backend) return null;
            if (!TryCompile(t.RequestEdits, out var request) || !TryCompile(t.ResponseEdits, out var response)) return null;
            result[i] = new FastTarget(backend, [.. ruleRequest, .. request], [.. ruleResponse, .. response]);
        }
        return result;
    }

    private static bool TryCompile(HeaderEdits? edits, out EditStep[] steps)
    {
        steps = [];
        if (edits is null) return true;
        var list = new List<EditStep>(edits.Steps.Count);
        foreach (var (op, name, value) in edits.Steps)
        {
            if (Http1Syntax.IsManagedName(name) || !IsPlainValue(value)) return false;
            list.Add(new EditStep(op, Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value)));
        }
        steps = [.. list];
        return true;
    }

    private static bool IsPlainValue(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~') return false;
        }
        return value.Length == 0 || (value[0] != ' ' && value[^1] != ' ');
    }

    /// <summary>Whether a backend is one the fast path can talk to (cleartext HTTP/1.1).</summary>
    public static bool IsFastBackend(BackendIr backend) =>
        backend.Tls is null && backend.Protocol is BackendProtocol.Http1 or BackendProtocol.WebSocket;
}
