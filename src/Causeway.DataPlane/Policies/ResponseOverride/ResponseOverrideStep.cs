using System.Text;
using System.Text.RegularExpressions;
using Causeway.Translation.Ir;
using Microsoft.AspNetCore.Http;

namespace Causeway.DataPlane.Policies.ResponseOverride;

/// <summary>
/// BackendTrafficPolicy <c>responseOverride</c>: the first rule whose status codes and response headers match
/// replaces the response with its own (status, body, content type, header edits). Replies of the gateway's own
/// (source Local or All: authentication failures, rate limits, 502/503/504...) are replaced by each transport's one
/// reply writer, so any transport serves a Local-only policy; backend responses (source Backend or All) have their
/// body replaced, which only the Kestrel pipeline does (in <see cref="ProxyTransformer"/>). A rule with a redirect
/// answers a redirect instead, its Location built from the client's request by <see cref="Filters.RedirectBuilder"/>
/// (the one Location of RequestRedirect filters too), which each transport presents as an <see cref="IOverrideRequest"/>.
/// </summary>
internal sealed class ResponseOverrideStep : PipelineStep
{
    private readonly Rule[] _rules;
    private readonly bool _backend;

    public ResponseOverrideStep(IReadOnlyList<ResponseOverrideIr> rules)
    {
        _rules = [.. rules.Select(r => new Rule(r))];
        _backend = rules.Any(r => r.Source != ResponseOverrideSource.Local);
    }

    public override StepStage Stage => StepStage.Response;

    public override TransportSet Transports => _backend ? TransportSet.Kestrel : TransportSet.All;

    public override string Describe() => "response-override " + string.Join("; ", _rules.Select(r => r.Describe()));

    /// <summary>The override for a reply of the gateway's own to <paramref name="request"/>, or null (the reply stands).</summary>
    public LocalReply? ForLocal<TRequest>(LocalReply reply, in TRequest request) where TRequest : IOverrideRequest
    {
        foreach (var rule in _rules)
        {
            if (rule.Ir.Source == ResponseOverrideSource.Backend || !rule.Matches(reply.Status, name => Header(reply, name))) continue;
            return rule.Reply(reply.Status, rule.Ir.Redirect is { } redirect ? request.Location(redirect) : null);
        }
        return null;

        static string? Header(LocalReply reply, string name)
        {
            foreach (var h in reply.Headers)
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
            return null;
        }
    }

    /// <summary>The override for a backend's response (status and headers as received) to <paramref name="request"/>, or null.</summary>
    public LocalReply? ForBackend<TRequest>(int status, IHeaderDictionary headers, in TRequest request) where TRequest : IOverrideRequest
    {
        foreach (var rule in _rules)
        {
            if (rule.Ir.Source == ResponseOverrideSource.Local
                || !rule.Matches(status, name => headers.TryGetValue(name, out var v) ? v.ToString() : null)) continue;
            return rule.Reply(status, rule.Ir.Redirect is { } redirect ? request.Location(redirect) : null);
        }
        return null;
    }

    private sealed class Rule
    {
        private readonly ReadOnlyMemory<byte> _body;
        private readonly HeaderEdits? _edits;
        private readonly Regex?[] _patterns;

        public Rule(ResponseOverrideIr ir)
        {
            Ir = ir;
            _body = ir.Body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(ir.Body);
            _edits = ir.HeaderEdits is { } h ? HeaderEdits.Create([h]) : null;
            _patterns = [.. ir.Headers.Select(m => m.Kind == HeaderValueMatchKind.RegularExpression ? RouteRegex.FullMatch(m.Value) : null)];
        }

        public ResponseOverrideIr Ir { get; }

        public bool Matches(int status, Func<string, string?> header)
        {
            if (Ir.Statuses.Count > 0)
            {
                var any = false;
                foreach (var range in Ir.Statuses)
                    if (status >= range.Start && status <= range.End) { any = true; break; }
                if (!any) return false;
            }
            for (var i = 0; i < Ir.Headers.Count; i++)
            {
                var m = Ir.Headers[i];
                if (header(m.Name) is not { } value) return false;
                var ok = m.Kind switch
                {
                    HeaderValueMatchKind.Prefix => value.StartsWith(m.Value, StringComparison.Ordinal),
                    HeaderValueMatchKind.Suffix => value.EndsWith(m.Value, StringComparison.Ordinal),
                    HeaderValueMatchKind.RegularExpression => _patterns[i]!.IsMatch(value),
                    _ => string.Equals(value, m.Value, StringComparison.Ordinal),
                };
                if (!ok) return false;
            }
            return true;
        }

        /// <param name="location">The redirect's Location, when the rule redirects.</param>
        public LocalReply Reply(int original, string? location)
        {
            if (Ir.Redirect is { } redirect)
            {
                var redirected = new LocalReply(redirect.StatusCode) { Final = true };
                redirected.Headers.Add(new("Location", location!));
                return redirected;
            }
            var reply = new LocalReply(Ir.Status ?? original)
            {
                Body = _body,
                ContentType = Ir.ContentType ?? (Ir.Body is null ? null : "text/plain"),
                Final = true,
            };
            if (_edits is not null)
            {
                var editor = reply.Editor();
                _edits.Apply(ref editor);
            }
            return reply;
        }

        public string Describe()
        {
            var statuses = Ir.Statuses.Count == 0 ? "any" : string.Join(",", Ir.Statuses.Select(r => r.Start == r.End ? $"{r.Start}" : $"{r.Start}-{r.End}"));
            var match = $"{Ir.Source.ToString().ToLowerInvariant()} status={statuses}" + (Ir.Headers.Count > 0 ? $" headers={Ir.Headers.Count}" : "");
            if (Ir.Redirect is { } r)
                return match + $" -> redirect {r.StatusCode}{(r.Scheme is { } sc ? " scheme=" + sc : "")}{(r.Hostname is { } h ? " host=" + h : "")}"
                    + $"{(r.Port is { } p ? " port=" + p : "")}{(r.Path is { } m ? $" path {m.Kind}={m.Value}" : "")}";
            return match + $" -> {(Ir.Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "same")} body={_body.Length}B";
        }
    }
}
