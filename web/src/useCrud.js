// The list-and-dialog pattern of the 管理 pages, once: load the list (with a
// spinner and the error shown), open a blank or an existing record in the
// dialog, save it with the server's field errors shown at their fields, and
// delete after a confirmation.
//
//   const { loading, dialog, editing, saving, errors, form, load, openNew, openEdit, save, remove } =
//     useCrud({
//       fetch: async () => { rules.value = (await api.get('/api/validation-rules')).validationRules; },
//       blank: () => ({ code: '', name: '' }),
//       fields: ['code', 'name'],
//       submit: async (form, isEdit) => { …; return `已保存规则 ${form.code}`; },
//       removal: (row) => ({ question: `删除校验规则“${row.name}”？`, title: '删除规则',
//                            run: async () => { …; return `已删除规则 ${row.code}`; } }),
//     });
import { ref, onMounted } from 'vue';
import { ElMessage } from 'element-plus';
import { confirmed, fieldErrors, refused } from './feedback.js';

export function useCrud({ fetch, blank, fields, submit, removal }) {
  const loading = ref(false);
  const dialog = ref(false);
  const editing = ref(false);
  const saving = ref(false);
  const errors = ref({});
  const form = ref(blank());

  async function load() {
    loading.value = true;
    try {
      await fetch();
    } catch (e) {
      ElMessage.error(e.message);
    } finally {
      loading.value = false;
    }
  }
  onMounted(load);

  function open(record, isEdit) {
    form.value = record;
    editing.value = isEdit;
    errors.value = {};
    dialog.value = true;
  }
  const openNew = () => open(blank(), false);
  // `record`: what the dialog edits, when it is not the row as listed.
  const openEdit = (row, record = { ...blank(), ...row }) => open(record, true);

  async function save() {
    saving.value = true;
    errors.value = {};
    try {
      ElMessage.success(await submit(form.value, editing.value));
      dialog.value = false;
      await load();
    } catch (e) {
      errors.value = fieldErrors(e, fields, ElMessage.error);
    } finally {
      saving.value = false;
    }
  }

  async function remove(row) {
    const { question, title, run } = removal(row);
    if (!(await confirmed(question, title, '删除'))) return;
    try {
      ElMessage.success(await run());
      await load();
    } catch (e) {
      refused(e.message, '不能删除');
    }
  }

  return { loading, dialog, editing, saving, errors, form, load, openNew, openEdit, save, remove };
}
