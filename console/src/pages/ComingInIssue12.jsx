const plans = {
  'Agents & tools':
    "Each agent's tools: enable or disable them, reorder them, edit their configuration in a form made from the tool's JSON Schema, and see how each is used.",
  'Org chart':
    'Departments, roles and reporting lines as a diagram, with the agents on each role and the business-function tree beside it.',
};

// Issue 12 adds the database functions these pages need; until then the
// page says so plainly instead of showing controls that do nothing.
export function ComingInIssue12({ title }) {
  return (
    <section class="placeholder card" aria-labelledby="placeholder-title">
      <p class="badge">Coming in issue 12</p>
      <h1 id="placeholder-title">{title}</h1>
      <p>{plans[title]}</p>
      <p class="muted">This page is not built yet: it needs the tools and organisation functions of issue 12.</p>
    </section>
  );
}
