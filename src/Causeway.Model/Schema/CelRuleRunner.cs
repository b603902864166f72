using System.Text.Json.Nodes;
using Causeway.Model.Schema.Cel;

namespace Causeway.Model.Schema;

/// <summary>Evaluates a schema node's compiled <c>x-kubernetes-validations</c> rules with <c>self</c> bound to the node.</summary>
internal static class CelRuleRunner
{
    public static void Run(JsonNode node, SchemaNode s, FieldPath path, List<SchemaError> errors, bool subtreeHasErrors)
    {
        var self = CelRuntime.FromJson(node);
        var env = new CelEnv("self", self, null);
        foreach (var rule in s.Rules)
        {
            bool ok;
            try
            {
                ok = CelRuntime.AsBool(rule.Expr.Eval(env));
            }
            catch (CelException e)
            {
                // Reported like the API server ("no such key: certificateRefs evaluating rule: <message>"), except on a
                // node that already failed schema validation, where it is only a consequence of that failure.
                if (!subtreeHasErrors)
                {
                    errors.Add(new SchemaError(path.Render(rule.FieldPath), $"Invalid value: \"{s.Type ?? "object"}\": {e.Message} evaluating rule: {rule.Message ?? rule.Rule}"));
                }

                continue;
            }

            if (ok)
            {
                continue;
            }

            var message = rule.Message;
            if (rule.MessageExpression is not null)
            {
                try
                {
                    if (rule.MessageExpression.Eval(env) is string m && m.Length > 0 && !m.Contains('\n'))
                    {
                        message = m;
                    }
                }
                catch (CelException)
                {
                    // Like the API server: fall back to the static message.
                }
            }

            message ??= $"failed rule: {rule.Rule}";
            var text = rule.Reason switch
            {
                "FieldValueRequired" => $"Required value: {message}",
                "FieldValueForbidden" => $"Forbidden: {message}",
                "FieldValueDuplicate" => $"Duplicate value: {message}",
                _ => $"Invalid value: \"{s.Type ?? "object"}\": {message}",
            };
            errors.Add(new SchemaError(path.Render(rule.FieldPath), text));
        }
    }
}
