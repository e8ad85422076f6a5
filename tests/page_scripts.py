"""JavaScript the browser tests evaluate in a page to read its Bokeh documents."""

#: Whether any Bokeh document of the page holds a model with this name.
HAS_SOURCE = """(name) => window.Bokeh !== undefined && window.Bokeh.documents !== undefined
  && window.Bokeh.documents.some((doc) => doc.get_model_by_name(name) !== null)"""

#: The data of a named ColumnDataSource (image columns as flat arrays), or null.
READ_SOURCE = """(name) => {
  for (const doc of window.Bokeh.documents) {
    const model = doc.get_model_by_name(name);
    if (model) {
      const data = model.data instanceof Map ? Object.fromEntries(model.data) : model.data;
      return Object.fromEntries(Object.entries(data).map(([key, column]) =>
        [key, Array.from(column, (v) => (v && v.length !== undefined ? Array.from(v) : v))]));
    }
  }
  return null;
}"""
