// Until the organisation functions of issue 12 are on this branch, the page
// says so plainly instead of showing controls that do nothing.
export function OrgPage() {
  return (
    <section class="placeholder card" aria-labelledby="placeholder-title">
      <p class="badge">Coming in issue 12</p>
      <h1 id="placeholder-title">Org chart</h1>
      <p>Departments, roles and reporting lines as a diagram, with the agents on each role and the business-function tree beside it.</p>
    </section>
  );
}
