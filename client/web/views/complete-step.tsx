import { T, type Locale } from './texts';

/** One-click completion of a step, with optional evidence; `back` is where the answer returns. */
export function CompleteStepForm(props: {
  locale: Locale;
  csrf: string;
  enrollmentId: string;
  stepKey: string;
  back: string;
}) {
  const t = T[props.locale];
  const fid = `ev-${props.enrollmentId}-${props.stepKey}`;
  const action = `/app/enrollments/${encodeURIComponent(props.enrollmentId)}/steps/${encodeURIComponent(props.stepKey)}/complete`;
  return (
    <form method="post" action={action} class="inline">
      <input type="hidden" name="csrf" value={props.csrf} />
      <input type="hidden" name="back" value={props.back} />
      <label for={fid}>{t.evidence}</label>
      <input id={fid} name="evidence" maxlength={2000} />
      <button type="submit">{t.complete}</button>
    </form>
  );
}
